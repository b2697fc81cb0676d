package dev.streamfold.suite;

import dev.streamfold.common.serde.SchemaRegistryClient;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * A publisher one schema version ahead of the services: its orders carry an extra optional field ({@code channel}),
 * a BACKWARD-compatible change registered once, before use, as a Confluent serializer would. Its frames need only the
 * id from then on, so it keeps publishing while the registry is down; the services, which have never seen that id,
 * must ask the registry before they can read them.
 */
final class EvolvedOrders {

    private final SuiteClient client;
    private final String topic;
    private final Ledger ledger;
    private final Map<Long, String> categoriesByProduct;
    private final Schema schema;
    private final int schemaId;
    private final AtomicLong sequence = new AtomicLong();

    EvolvedOrders(SuiteClient client, SuiteSettings settings, Ledger ledger, Map<Long, String> categoriesByProduct) {
        this.client = client;
        this.topic = client.topics().orders().name();
        this.ledger = ledger;
        this.categoriesByProduct = categoriesByProduct;
        this.schema = withChannel(Order.getClassSchema());
        this.schemaId = new SchemaRegistryClient(settings.registryUrl(), SchemaRegistryClient.Retry.DEFAULT)
                .idOf(topic + "-value", schema);
    }

    void publish(long customerId, long productId) {
        long n = sequence.incrementAndGet();
        Instant placed = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        GenericRecord order = new GenericData.Record(schema);
        order.put("event_id", "evolved-" + n);
        order.put("order_id", 2_000_000 + n);
        order.put("customer_id", customerId);
        order.put("product_id", productId);
        order.put("quantity", 1);
        order.put("amount_minor", 700 + n);
        order.put("currency", "EUR");
        order.put("status", "PLACED");
        order.put("event_time", placed.toEpochMilli());
        order.put("source", new GenericData.EnumSymbol(schema.getField("source").schema(), OrderSource.DIRECT.name()));
        order.put("channel", "kiosk");
        withDefaults(order);
        client.send(topic, Long.toString(customerId).getBytes(StandardCharsets.UTF_8), frame(order));
        ledger.counted(Order.newBuilder().setEventId("evolved-" + n).setOrderId(2_000_000 + n).setCustomerId(customerId)
                .setProductId(productId).setQuantity(1).setAmountMinor(700 + n).setCurrency("EUR").setStatus("PLACED")
                .setEventTime(placed).setSource(OrderSource.DIRECT).build(), categoriesByProduct.get(productId));
    }

    /** Every field it does not set takes its schema default, as a publisher's generated class would. */
    private static void withDefaults(GenericRecord order) {
        for (Schema.Field field : order.getSchema().getFields()) {
            if (order.get(field.pos()) == null && field.hasDefaultValue()) {
                order.put(field.pos(), GenericData.get().getDefaultValue(field));
            }
        }
    }

    private byte[] frame(GenericRecord order) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0);
            out.write(ByteBuffer.allocate(4).putInt(schemaId).array());
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(schema).write(order, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The order schema with one more optional field: what a newer publisher would register. */
    private static Schema withChannel(Schema order) {
        List<Schema.Field> fields = new ArrayList<>();
        order.getFields().forEach(field -> fields.add(new Schema.Field(field, field.schema())));
        fields.add(new Schema.Field("channel", Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                "where the order was placed", Schema.Field.NULL_DEFAULT_VALUE));
        return Schema.createRecord(order.getName(), order.getDoc(), order.getNamespace(), false, fields);
    }
}
