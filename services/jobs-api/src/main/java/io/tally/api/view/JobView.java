package io.tally.api.view;

import io.tally.events.IdempotencyKeyUsed;
import io.tally.events.JobStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.stereotype.Component;

/**
 * Reads the global job and idempotency stores of this instance. Every call throws {@link ViewNotReadyException} until
 * the streams client is RUNNING, so a half-restored view never answers "not found" for a job that exists.
 * Known gap: {@link #allJobs()} copies the whole view per call; fine for thousands of jobs, not for millions.
 */
@Component
public class JobView {

    private final StreamsBuilderFactoryBean streams;

    public JobView(StreamsBuilderFactoryBean streams) {
        this.streams = streams;
    }

    /** The latest status of {@code jobId}, or empty if the view has no such job. */
    public Optional<JobStatus> job(String jobId) {
        return read(() -> Optional.ofNullable(this.<JobStatus>store(JobViewTopology.JOBS_STORE).get(jobId)));
    }

    /** Every job in the view, in no particular order. */
    public List<JobStatus> allJobs() {
        return read(() -> {
            List<JobStatus> jobs = new ArrayList<>();
            try (KeyValueIterator<String, JobStatus> all = this.<JobStatus>store(JobViewTopology.JOBS_STORE).all()) {
                all.forEachRemaining(entry -> jobs.add(entry.value));
            }
            return jobs;
        });
    }

    /** The first use of idempotency key {@code key}, or empty if the view has not seen it. */
    public Optional<IdempotencyKeyUsed> idempotencyKey(String key) {
        return read(() -> Optional.ofNullable(this.<IdempotencyKeyUsed>store(JobViewTopology.IDEMPOTENCY_STORE).get(key)));
    }

    /** Whether the view answers now. */
    public boolean ready() {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        return kafkaStreams != null && kafkaStreams.state() == KafkaStreams.State.RUNNING;
    }

    // The store can close under a reader during a rebalance or shutdown: that is "not ready", not a server error.
    private static <T> T read(Supplier<T> query) {
        try {
            return query.get();
        } catch (InvalidStateStoreException e) {
            throw new ViewNotReadyException(e.getMessage());
        }
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        KafkaStreams kafkaStreams = streams.getKafkaStreams();
        if (kafkaStreams == null || kafkaStreams.state() != KafkaStreams.State.RUNNING) {
            throw new ViewNotReadyException("streams state is " + (kafkaStreams == null ? "not started" : kafkaStreams.state()));
        }
        return kafkaStreams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }
}
