package io.tally.media;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the media workers, bound from {@code tally.media.*}; every key is described in
 * services/media-workers/README.md. Retries and dead letters of the tasks are the worker SDK's ({@code tally.worker.*}).
 *
 * @param metadata where source and video metadata come from
 * @param pick     the dedupe of {@code pick-new-items}
 * @param history  the history topic's reads and writes
 */
@Validated
@ConfigurationProperties("tally.media")
public record MediaProperties(
        @Valid @NotNull @DefaultValue Metadata metadata,
        @Valid @NotNull @DefaultValue Pick pick,
        @Valid @NotNull @DefaultValue History history) {

    /** Which metadata adapter answers. */
    public enum Adapter { FIXTURE, YT_DLP }

    /**
     * @param adapter    {@code fixture} (the bundled playlist and channel, no network) or {@code yt-dlp}
     * @param executable the yt-dlp-compatible executable, a path or a name on {@code PATH}
     * @param timeout    how long one run of it may take before it is killed (then the task is retried)
     */
    public record Metadata(
            @NotNull @DefaultValue("fixture") Adapter adapter,
            @NotBlank @DefaultValue("yt-dlp") String executable,
            @NotNull @DefaultValue("2m") Duration timeout) {
    }

    /** @param requestedTtl how long an item another job requested is left to it before a new source picks it again */
    public record Pick(@NotNull @DefaultValue("1h") Duration requestedTtl) {
    }

    /**
     * @param timeout how long a history write may wait for its acknowledgement, and a read for the topic's end
     * @param groupId consumer group of the dead-letter listener that records DEAD_LETTERED videos
     */
    public record History(
            @NotNull @DefaultValue("30s") Duration timeout,
            @NotBlank @DefaultValue("tally-media-history") String groupId) {
    }
}
