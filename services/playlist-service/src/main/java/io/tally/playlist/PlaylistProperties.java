package io.tally.playlist;

import io.tally.playlist.youtube.RefreshTokenFile;
import io.tally.playlist.youtube.YouTubeAuthorization;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the playlist service, bound from {@code tally.playlist.*}. A plain record: the adapters and the delivery
 * consumer take it (or its parts) as arguments.
 *
 * @param adapter         where playlists are made: {@code file} (offline default) or {@code youtube}
 * @param file            settings of the file adapter
 * @param youtube         settings of the YouTube adapter
 * @param delivery        the delivery consumer that calls the adapter outside the Streams transaction
 * @param retry           retries of a failed delivery on Spring Kafka retry topics, before the dead-letter topic
 */
@Validated
@ConfigurationProperties("tally.playlist")
public record PlaylistProperties(
        @NotNull @DefaultValue("file") AdapterKind adapter,
        @Valid @DefaultValue File file,
        @Valid @DefaultValue YouTube youtube,
        @Valid @NotNull @DefaultValue Delivery delivery,
        @Valid @NotNull @DefaultValue Retry retry) {

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
     * @param oauthToken     a fixed OAuth access token with the {@code youtube} scope, used only when {@code oauth} has no
     *                       client id (Google's access tokens expire after about an hour, so this suits short tests
     *                       only); a secret, never logged
     * @param privacyStatus  privacy of new playlists: public, unlisted or private
     * @param maxAttempts    attempts per call on 429, 5xx and I/O errors (other 4xx are not retried)
     * @param initialBackoff wait before the first retry; doubles on each retry
     * @param maxBackoff     upper bound of the wait between retries
     * @param timeout        connect and read timeout of each call (also of the token endpoint)
     * @param oauth          the OAuth client that renews access tokens from a stored refresh token
     * @param quota          the daily unit budget the adapter keeps to
     */
    public record YouTube(
            @NotNull @DefaultValue("https://www.googleapis.com/youtube/v3") URI baseUrl,
            @DefaultValue("") String oauthToken,
            @NotBlank @Pattern(regexp = "public|unlisted|private") @DefaultValue("public") String privacyStatus,
            @Min(1) @DefaultValue("4") int maxAttempts,
            @NotNull @DefaultValue("PT0.5S") Duration initialBackoff,
            @NotNull @DefaultValue("PT10S") Duration maxBackoff,
            @NotNull @DefaultValue("PT10S") Duration timeout,
            @Valid @DefaultValue OAuth oauth,
            @Valid @DefaultValue Quota quota) {

        @ConstructorBinding
        public YouTube {
            oauth = oauth != null ? oauth : new OAuth(null, null, null, null, null);
            quota = quota != null ? quota : new Quota(Quota.DEFAULT_DAILY_UNITS, null);
        }

        /** The settings before OAuth renewal and quota existed: no OAuth client, the default budget. */
        public YouTube(URI baseUrl, String oauthToken, String privacyStatus, int maxAttempts, Duration initialBackoff,
                       Duration maxBackoff, Duration timeout) {
            this(baseUrl, oauthToken, privacyStatus, maxAttempts, initialBackoff, maxBackoff, timeout, null, null);
        }

        /** Keeps the token out of logs and actuator output. */
        @Override
        public String toString() {
            return "YouTube[baseUrl=" + baseUrl + ", oauthToken=" + (oauthToken == null || oauthToken.isEmpty() ? "<none>" : "<secret>")
                    + ", privacyStatus=" + privacyStatus + ", maxAttempts=" + maxAttempts + ", initialBackoff="
                    + initialBackoff + ", maxBackoff=" + maxBackoff + ", timeout=" + timeout + ", oauth=" + oauth
                    + ", quota=" + quota + "]";
        }
    }

    /**
     * The OAuth client of the YouTube adapter: Spring Security's authorized-client manager turns the refresh token of
     * {@code refreshTokenFile} (written by {@code tally auth youtube}) into access tokens and renews them. Active when
     * {@code clientId} is set. Client id and secret come from the environment (or a config tree of files), never from
     * the YAML itself.
     *
     * @param clientId         OAuth client id of a Google "Desktop app" client (env {@code TALLY_YOUTUBE_CLIENT_ID})
     * @param clientSecret     its secret (env {@code TALLY_YOUTUBE_CLIENT_SECRET}); never logged
     * @param tokenUri         Google's token endpoint (tests point it at a local fake)
     * @param authorizationUri Google's authorization endpoint, used by {@code tally auth youtube}
     * @param refreshTokenFile the file holding the refresh token (mode 600); empty means
     *                         {@code ~/.tally/youtube-refresh-token}
     */
    public record OAuth(
            String clientId,
            String clientSecret,
            URI tokenUri,
            URI authorizationUri,
            Path refreshTokenFile) {

        public OAuth {
            clientId = clientId == null ? "" : clientId.strip();
            clientSecret = clientSecret == null ? "" : clientSecret;
            tokenUri = tokenUri != null ? tokenUri : URI.create(YouTubeAuthorization.TOKEN_URI);
            authorizationUri = authorizationUri != null ? authorizationUri : URI.create(YouTubeAuthorization.AUTHORIZATION_URI);
            if (refreshTokenFile == null || refreshTokenFile.toString().isBlank()) {
                refreshTokenFile = RefreshTokenFile.defaultLocation();
            }
        }

        /** Whether access tokens come from the refresh token (a client id is set). */
        public boolean enabled() {
            return !clientId.isBlank();
        }

        /** Keeps the secret out of logs and actuator output. */
        @Override
        public String toString() {
            return "OAuth[clientId=" + clientId + ", clientSecret=" + (clientSecret.isEmpty() ? "<none>" : "<secret>")
                    + ", tokenUri=" + tokenUri + ", authorizationUri=" + authorizationUri + ", refreshTokenFile="
                    + refreshTokenFile + "]";
        }
    }

    /**
     * The YouTube Data API quota the adapter keeps to: a playlist that would need more units than are left today is
     * refused before any insert. Counted in memory per instance (see {@code YouTubeQuota}).
     *
     * @param dailyUnits units per day for this service (Google's default project quota is 10,000)
     * @param resetZone  the zone whose midnight starts a new quota day (Google resets at midnight Pacific Time)
     */
    public record Quota(
            @Min(0) @DefaultValue("10000") long dailyUnits,
            ZoneId resetZone) {

        static final long DEFAULT_DAILY_UNITS = 10_000;

        public Quota {
            resetZone = resetZone != null ? resetZone : ZoneId.of(YouTubeAuthorization.QUOTA_RESET_ZONE);
        }
    }
}
