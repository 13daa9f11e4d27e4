package io.tally.playlist;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the playlist service, bound from {@code tally.playlist.*}. A plain record: the topology and the adapters
 * take it (or its parts) as arguments.
 *
 * @param pipelines       pipelines whose completed jobs get a playlist; other pipelines' jobs are ignored
 * @param resolveWait     how long a completed job waits for its chart and all its tracks to show up in the global
 *                        tables before the playlist is made with what is there
 * @param recheckInterval how often (wall clock) waiting jobs are checked again
 * @param adapter         where playlists are made: {@code file} (offline default) or {@code youtube}
 * @param file            settings of the file adapter
 * @param youtube         settings of the YouTube adapter
 * @param delivery        the delivery consumer that calls the adapter outside the Streams transaction
 * @param retry           retries of a failed delivery on Spring Kafka retry topics, before the dead-letter topic
 */
@Validated
@ConfigurationProperties("tally.playlist")
public record PlaylistProperties(
        @NotEmpty @DefaultValue("beatport-chart") List<String> pipelines,
        @NotNull @DefaultValue("PT30S") Duration resolveWait,
        @NotNull @DefaultValue("PT1S") Duration recheckInterval,
        @NotNull @DefaultValue("file") AdapterKind adapter,
        @Valid @DefaultValue File file,
        @Valid @DefaultValue YouTube youtube,
        @Valid @NotNull @DefaultValue Delivery delivery,
        @Valid @NotNull @DefaultValue Retry retry) {

    /** Settings for code that does not go through Spring (the topology tests), with the delivery defaults. */
    public static PlaylistProperties of(List<String> pipelines, Duration resolveWait, Duration recheckInterval,
                                        AdapterKind adapter, File file, YouTube youtube) {
        return new PlaylistProperties(pipelines, resolveWait, recheckInterval, adapter, file, youtube,
                new Delivery("tally-playlist-delivery", "playlist-delivery-", Duration.ofMinutes(10)),
                new Retry(4, Duration.ofSeconds(5), 2.0, Duration.ofMinutes(1)));
    }

    /** The adapters there are. */
    public enum AdapterKind { FILE, YOUTUBE }

    /**
     * The file adapter's settings.
     *
     * @param outputDir folder the {@code .m3u} and {@code .json} files go to; empty means {@code ~/.tally/playlists}
     */
    public record File(Path outputDir) {

        public File {
            if (outputDir == null || outputDir.toString().isBlank()) {
                outputDir = Path.of(System.getProperty("user.home"), ".tally", "playlists");
            }
        }
    }

    /**
     * Exponential back-off across retry topics ({@code tally.playlists.requested-retry-<ms>}): attempt n+1 waits
     * {@code min(initialDelay × multiplier^(n-1), maxDelay)}. Each attempt resumes the playlist (adapters are
     * idempotent per sourceRef).
     *
     * @param attempts     delivery attempts including the first; after the last, the intent is dead-lettered
     * @param initialDelay delay before the first retry
     * @param multiplier   growth factor of the delay per retry
     * @param maxDelay     upper bound of any delay
     */
    public record Retry(
            @Min(1) @DefaultValue("4") int attempts,
            @NotNull @DefaultValue("PT5S") Duration initialDelay,
            @DecimalMin("1.0") @DefaultValue("2.0") double multiplier,
            @NotNull @DefaultValue("PT1M") Duration maxDelay) {
    }

    /**
     * The delivery consumer.
     *
     * @param groupId             its consumer group (not the Streams application id); retry and DLT listeners add
     *                            Spring's suffixes
     * @param transactionIdPrefix prefix of the transactional ids of the producer that writes outcomes with the input
     *                            offset; must be unique per instance
     * @param maxDuration         time budget of one delivery attempt: the YouTube adapter starts no call after it and
     *                            fails the attempt, and the next attempt resumes (it inserts only missing videos);
     *                            must stay below the consumer's {@code max.poll.interval.ms} minus one call's worst case
     */
    public record Delivery(
            @NotBlank @DefaultValue("tally-playlist-delivery") String groupId,
            @NotBlank @DefaultValue("playlist-delivery-") String transactionIdPrefix,
            @NotNull @DefaultValue("PT10M") Duration maxDuration) {
    }

    /**
     * The YouTube adapter's settings.
     *
     * @param baseUrl        YouTube Data API v3 base URL (tests point it at a local fake)
     * @param oauthToken     OAuth access token with the {@code youtube} scope; a secret, never logged
     * @param privacyStatus  privacy of new playlists: public, unlisted or private
     * @param maxAttempts    attempts per call on 429, 5xx and I/O errors (other 4xx are not retried)
     * @param initialBackoff wait before the first retry; doubles on each retry
     * @param maxBackoff     upper bound of the wait between retries
     * @param timeout        connect and read timeout of each call
     */
    public record YouTube(
            @NotNull @DefaultValue("https://www.googleapis.com/youtube/v3") URI baseUrl,
            @DefaultValue("") String oauthToken,
            @NotBlank @Pattern(regexp = "public|unlisted|private") @DefaultValue("public") String privacyStatus,
            @Min(1) @DefaultValue("4") int maxAttempts,
            @NotNull @DefaultValue("PT0.5S") Duration initialBackoff,
            @NotNull @DefaultValue("PT10S") Duration maxBackoff,
            @NotNull @DefaultValue("PT10S") Duration timeout) {

        /** Keeps the token out of logs and actuator output. */
        @Override
        public String toString() {
            return "YouTube[baseUrl=" + baseUrl + ", oauthToken=" + (oauthToken == null || oauthToken.isEmpty() ? "<none>" : "<secret>")
                    + ", privacyStatus=" + privacyStatus + ", maxAttempts=" + maxAttempts + ", initialBackoff="
                    + initialBackoff + ", maxBackoff=" + maxBackoff + ", timeout=" + timeout + "]";
        }
    }
}
