package dev.streamfold.common.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamfold.schemas.Customer;
import dev.streamfold.schemas.Order;
import dev.streamfold.schemas.OrderSource;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class ConfluentAvroSerdeTest {

    private final InMemoryRegistry registry = new InMemoryRegistry();
    private final ConfluentAvroSerde<Order> orders = new ConfluentAvroSerde<>(registry, Order.class, false);
    private final ConfluentAvroSerde<Customer> customers = new ConfluentAvroSerde<>(registry, Customer.class, false);

    @Test
    void shouldWriteConfluentWireFormatAndReadItBack() {
        // When an order is written
        byte[] bytes = orders.serializer().serialize("orders", order());

        // Then it is magic byte 0, the id registered under orders-value, Avro; and it reads back equal
        assertThat(bytes[0]).isZero();
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(registry.idOf("orders-value", Order.getClassSchema()));
        assertThat(orders.deserializer().deserialize("orders", bytes)).isEqualTo(order());
    }

    @Test
    void shouldWriteAndReadTheSameBytesAfterARecordItCouldNotWriteOrRead() {
        // Given an order written, then one that fails half-way (a required field missing), then a truncated frame read
        byte[] before = orders.serializer().serialize("orders", order());
        Order incomplete = new Order();
        incomplete.setEventId("e-2");
        incomplete.setOrderId(2);
        assertThatThrownBy(() -> orders.serializer().serialize("orders", incomplete)).isInstanceOf(PoisonRecordException.class);
        assertThatThrownBy(() -> orders.deserializer().deserialize("orders", Arrays.copyOf(before, before.length - 3)))
                .isInstanceOf(PoisonRecordException.class);

        // When the same order is written and read again on the same thread, whose encoder and decoder are reused
        byte[] after = orders.serializer().serialize("orders", order());

        // Then nothing of the failed record is left in the bytes, and they read back equal
        assertThat(after).isEqualTo(before);
        assertThat(orders.deserializer().deserialize("orders", after)).isEqualTo(order());
    }

    @Test
    void shouldWriteAndReadOnSeveralThreadsAtOnceWithOneSerde() throws Exception {
        // Given one serde shared by threads, as Kafka Streams shares a sink's serde between stream threads
        int perThread = 5_000;
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            // When each writes and reads back orders of its own
            List<Future<Integer>> roundTrips = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long first = t * (long) perThread;
                roundTrips.add(threads.submit(() -> {
                    int equal = 0;
                    for (long id = first; id < first + perThread; id++) {
                        Order order = Order.newBuilder(order()).setOrderId(id).setEventId("e-" + id).build();
                        byte[] bytes = orders.serializer().serialize("orders", order);
                        equal += orders.deserializer().deserialize("orders", bytes).equals(order) ? 1 : 0;
                    }
                    return equal;
                }));
            }

            // Then every order reads back as it was written
            for (Future<Integer> roundTrip : roundTrips) {
                assertThat(roundTrip.get()).isEqualTo(perThread);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void shouldNameBytesThatAreNotTheWireFormat() {
        assertThatThrownBy(() -> orders.deserializer().deserialize("orders", "{\"json\":1}".getBytes()))
                .isInstanceOf(PoisonRecordException.class).hasMessage("not Confluent wire format (first byte 0x7b, expected 0x00)");
        assertThatThrownBy(() -> orders.deserializer().deserialize("orders", new byte[] {0, 1}))
                .isInstanceOf(PoisonRecordException.class).hasMessageContaining("shorter than the 5-byte header");
    }

    @Test
    void shouldNameAnUnknownSchemaId() {
        byte[] unknown = {0, 0, 0, 0, 42, 2, 4};

        assertThatThrownBy(() -> orders.deserializer().deserialize("orders", unknown))
                .isInstanceOf(PoisonRecordException.class).hasMessage("schema id 42 not found in the registry");
    }

    @Test
    void shouldRefuseARecordOfAnotherSchemaRatherThanHandOutTheWrongType() {
        // Given a valid Customer frame in the orders topic
        byte[] customer = customers.serializer().serialize("orders", Customer.newBuilder().setId(7).setName("Ada")
                .setEmail("ada@example.com").setCountry("DE").setTier("gold").setUpdatedAt(Instant.EPOCH).build());

        // Then reading it as an Order says so
        assertThatThrownBy(() -> orders.deserializer().deserialize("orders", customer))
                .isInstanceOf(PoisonRecordException.class).hasMessageStartingWith("schema Customer (id ")
                .hasMessageContaining("is not readable as Order");
    }

    @Test
    void shouldNameATruncatedBody() {
        byte[] whole = orders.serializer().serialize("orders", order());
        byte[] truncated = Arrays.copyOf(whole, whole.length - 6);

        assertThatThrownBy(() -> orders.deserializer().deserialize("orders", truncated))
                .isInstanceOf(PoisonRecordException.class).hasMessageContaining("is truncated or corrupt");
    }

    @Test
    void shouldNameTrailingBytes() {
        byte[] whole = orders.serializer().serialize("orders", order());
        byte[] longer = Arrays.copyOf(whole, whole.length + 3);

        assertThatThrownBy(() -> orders.deserializer().deserialize("orders", longer))
                .isInstanceOf(PoisonRecordException.class).hasMessageContaining("bytes left over");
    }

    @Test
    void shouldLetAnUnreachableRegistryBeRetriedNotDeadLettered() {
        // Given a frame whose schema id this process has not seen, and a registry that does not answer
        byte[] frame = orders.serializer().serialize("orders", order());
        ConfluentAvroSerde<Order> freshReader = new ConfluentAvroSerde<>(new SchemaRegistry() {
            @Override
            public Schema schemaById(int id) {
                throw new RegistryUnavailableException("the schema registry is unreachable");
            }

            @Override
            public int idOf(String subject, Schema schema) {
                throw new RegistryUnavailableException("the schema registry is unreachable");
            }
        }, Order.class, false);

        // Then the failure is retriable, not a fault of the record
        assertThatThrownBy(() -> freshReader.deserializer().deserialize("orders", frame))
                .isInstanceOf(RegistryUnavailableException.class)
                .isInstanceOf(org.apache.kafka.common.errors.RetriableException.class);
    }

    @Test
    void shouldMapApicuriosCoreApiUrlToItsConfluentCompatibleApi() {
        assertThat(SchemaRegistryClient.ccompatUrl("http://127.0.0.1:18081/apis/registry/v3"))
                .isEqualTo("http://127.0.0.1:18081/apis/ccompat/v7");
        assertThat(SchemaRegistryClient.ccompatUrl("http://registry:8081/apis/ccompat/v7/"))
                .isEqualTo("http://registry:8081/apis/ccompat/v7");
    }

    private static Order order() {
        return Order.newBuilder().setEventId("e-1").setOrderId(1).setCustomerId(2).setProductId(3).setQuantity(1)
                .setAmountMinor(1_250).setCurrency("EUR").setStatus("PLACED")
                .setEventTime(Instant.parse("2026-03-01T10:00:00Z")).setSource(OrderSource.DIRECT).build();
    }

    /**
     * Registry semantics for a unit test: ids by (subject, schema), schemas by id. Thread-safe like the real client
     * (its maps are concurrent): one serde's threads share it.
     */
    private static final class InMemoryRegistry implements SchemaRegistry {
        private final Map<Integer, Schema> schemas = new HashMap<>();
        private final Map<String, Integer> ids = new HashMap<>();

        @Override
        public synchronized Schema schemaById(int id) {
            Schema schema = schemas.get(id);
            if (schema == null) {
                throw new PoisonRecordException("schema id " + id + " not found in the registry");
            }
            return schema;
        }

        @Override
        public synchronized int idOf(String subject, Schema schema) {
            return ids.computeIfAbsent(subject + schema, ignored -> {
                int id = schemas.size() + 1;
                schemas.put(id, schema);
                return id;
            });
        }
    }
}
