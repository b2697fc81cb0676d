package dev.streamfold.common.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/** Makes the Avro serdes of one topic. Each call returns a new instance: serdes are never shared between topics. */
public interface SerdeFactory {

    <T extends SpecificRecord> Serde<T> value(String topic, Class<T> type);

    <T extends SpecificRecord> Serde<T> key(String topic, Class<T> type);
}
