package io.tally.playlist;

import jakarta.validation.Valid;
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
 */
@Validated
@ConfigurationProperties("tally.playlist")
public record PlaylistProperties(
        @NotEmpty @DefaultValue("beatport-chart") List<String> pipelines,
        @NotNull @DefaultValue("PT30S") Duration resolveWait,
        @NotNull @DefaultValue("PT1S") Duration recheckInterval,
        @NotNull @DefaultValue("file") AdapterKind adapter,
        @Valid @DefaultValue File file,
        @Valid @DefaultValue YouTube youtube) {

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
