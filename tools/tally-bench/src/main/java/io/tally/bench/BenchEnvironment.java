package io.tally.bench;

import io.tally.common.kafka.AvroSerdes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * What every part of a bench run shares: the broker and registry it runs against, the serdes, a scratch directory,
 * the per-measurement timeout and the progress printer (stderr, so the JSON summary stays the last stdout line).
 */
record BenchEnvironment(String bootstrap, String registryUrl, AvroSerdes serdes, Path workDir, Duration timeout,
                        PrintWriter progress, String runId) {

    BenchEnvironment(String bootstrap, String registryUrl, AvroSerdes serdes, Path workDir, Duration timeout,
                     PrintWriter progress) {
        this(bootstrap, registryUrl, serdes, workDir, timeout, progress, UUID.randomUUID().toString().substring(0, 8));
    }

    void say(String format, Object... args) {
        progress.println("bench: " + String.format(Locale.ROOT, format, args));
        progress.flush();
    }

    /** Idempotent producer settings for bulk input: batches, as a real worker fleet would send. */
    Map<String, Object> bulkProducerConfig(String clientId) {
        return Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, clientId,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.BATCH_SIZE_CONFIG, 131_072,
                ProducerConfig.LINGER_MS_CONFIG, 20);
    }

    /** Producer settings for latency probes: every record leaves at once. */
    Map<String, Object> promptProducerConfig(String clientId) {
        return Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, clientId,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0);
    }

    /** Microseconds (as HdrHistogram records them) to milliseconds with one decimal, for the summary. */
    static double millis(long micros) {
        return Math.round(micros / 100.0) / 10.0;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchFailure("interrupted");
        }
    }

    /** A measurement that could not finish; reported in the summary, never thrown out of the command. */
    static final class BenchFailure extends RuntimeException {
        BenchFailure(String message) {
            super(message);
        }
    }
}
