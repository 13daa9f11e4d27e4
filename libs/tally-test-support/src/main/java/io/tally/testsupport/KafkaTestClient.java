package io.tally.testsupport;

import io.tally.common.health.KafkaStreamsHealth;
import io.tally.common.kafka.AvroSerdes;
import io.tally.common.kafka.FromStart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;

/**
 * Produces to and reads from a test broker the way the services' integration tests need: Avro values through the
 * registry, committed records only, and waits that also catch a duplicate arriving just after the expected ones.
 */
public final class KafkaTestClient {

    /** How long a service test waits for a record or a state on a busy 2-core machine. */
    public static final Duration WAIT = Duration.ofSeconds(60);

    // Exactly-once checks need to see a duplicate that trails the expected records, so reads go on this long.
    private static final Duration SETTLE = Duration.ofSeconds(2);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String bootstrapServers;
    private final AvroSerdes serdes;

    /** A client for the broker at {@code bootstrapServers}, with Avro values through {@code serdes}. */
    public KafkaTestClient(String bootstrapServers, AvroSerdes serdes) {
        this.bootstrapServers = bootstrapServers;
        this.serdes = serdes;
    }

    /** The broker this client talks to, for admin clients and services a test starts itself. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Waits until the service's streams client is RUNNING, and fails if it is not within {@code timeout}. */
    public static void awaitRunning(KafkaStreamsHealth streams, Duration timeout) {
        Awaitility.await("Kafka Streams RUNNING").atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(streams::state, state -> state == KafkaStreams.State.RUNNING);
    }

    /** Matches records whose key equals {@code key} (records without a key never match). */
    public static <V> Predicate<ConsumerRecord<String, V>> withKey(String key) {
        return record -> key.equals(record.key());
    }

    /** An idempotent producer of Avro values that waits for all replicas; the caller closes it. */
    public KafkaProducer<String, SpecificRecord> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), serdes.serializer());
    }

    /** A producer of raw bytes with the client defaults, for poison records; the caller closes it. */
    public KafkaProducer<String, byte[]> rawProducer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Committed Avro records of {@code type} on {@code topic} that {@code match}: reads until {@code count} arrived,
     * then a moment more so a duplicate shows, or until {@code timeout}; returns what it found either way.
     */
    public <V extends SpecificRecord> List<ConsumerRecord<String, V>> await(String topic, Class<V> type,
            Predicate<ConsumerRecord<String, V>> match, int count, Duration timeout) {
        return await(topic, readable(serdes.deserializer(type)), record -> !unreadable(record) && match.test(record),
                count, timeout);
    }

    /** A value that was there but did not read as the type (a tombstone has no value, and is kept). */
    private static boolean unreadable(ConsumerRecord<String, ?> record) {
        return record.value() == null && record.serializedValueSize() > 0;
    }

    /**
     * Values that are not Avro of the type read as null, so typed reads pass over them: tests share one broker, and
     * some write poison records on purpose to topics that others read typed.
     */
    private static <V> Deserializer<V> readable(Deserializer<V> values) {
        return new Deserializer<>() {
            @Override
            public V deserialize(String topic, byte[] data) {
                return nullIfNotOfTheType(() -> values.deserialize(topic, data));
            }

            @Override
            public V deserialize(String topic, Headers headers, byte[] data) {
                return nullIfNotOfTheType(() -> values.deserialize(topic, headers, data));
            }
        };
    }

    private static <V> V nullIfNotOfTheType(Supplier<V> read) {
        try {
            return read.get();
        } catch (SerializationException notOfTheType) {
            return null;
        }
    }

    /** Like {@link #await(String, Class, Predicate, int, Duration)}, for raw values such as dead letters. */
    public List<ConsumerRecord<String, byte[]>> awaitRaw(String topic, Predicate<ConsumerRecord<String, byte[]>> match,
            int count, Duration timeout) {
        return await(topic, new ByteArrayDeserializer(), match, count, timeout);
    }

    /** The first committed raw record with {@code key} on {@code topic}; fails if none arrives within {@code timeout}. */
    public ConsumerRecord<String, byte[]> awaitFirstRaw(String topic, String key, Duration timeout) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(new ByteArrayDeserializer())) {
            if (assignFromStart(consumer, topic).isEmpty()) {
                throw new AssertionError("topic " + topic + " does not exist");
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (key.equals(record.key())) {
                        return record;
                    }
                }
            }
        }
        throw new AssertionError("no record with key " + key + " on " + topic + " within " + timeout);
    }

    /**
     * Every committed Avro record of {@code type} on {@code topic}, from the beginning to the end offsets of the moment
     * of the call (values of another kind passed over); fails if that end is not reached within
     * {@code timeout}.
     */
    public <V extends SpecificRecord> List<ConsumerRecord<String, V>> readAll(String topic, Class<V> type,
            Duration timeout) {
        List<ConsumerRecord<String, V>> found = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = consumer(readable(serdes.deserializer(type)))) {
            List<TopicPartition> partitions = assignFromStart(consumer, topic);
            // read_committed end offsets: everything committed so far, while producers may keep writing.
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to " + end);
                }
                for (ConsumerRecord<String, V> record : consumer.poll(POLL)) {
                    if (!unreadable(record)
                            && record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        found.add(record);
                    }
                }
            }
        }
        return found;
    }

    private <V> List<ConsumerRecord<String, V>> await(String topic, Deserializer<V> values,
            Predicate<ConsumerRecord<String, V>> match, int count, Duration timeout) {
        List<ConsumerRecord<String, V>> found = new ArrayList<>();
        try (KafkaConsumer<String, V> consumer = consumer(values)) {
            // An unknown topic would otherwise read as an empty one and pass an "absent" check.
            if (assignFromStart(consumer, topic).isEmpty()) {
                throw new AssertionError("topic " + topic + " does not exist");
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            long settleUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                for (ConsumerRecord<String, V> record : consumer.poll(POLL)) {
                    if (match.test(record)) {
                        found.add(record);
                    }
                }
                if (found.size() >= count && settleUntil == Long.MAX_VALUE) {
                    settleUntil = System.nanoTime() + SETTLE.toNanos();
                }
            }
        }
        return found;
    }

    // No group: each read starts at the beginning of every partition at once, without waiting for a group to form.
    private <V> KafkaConsumer<String, V> consumer(Deserializer<V> values) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), values);
    }

    private static List<TopicPartition> assignFromStart(KafkaConsumer<String, ?> consumer, String topic) {
        return FromStart.assign(consumer, List.of(topic));
    }
}
