package io.tally.transcribe.download;

import io.tally.transcribe.TranscribeProperties;
import io.tally.transcribe.http.AsyncJobClient;
import io.tally.worker.TaskContext;
import java.time.Clock;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;

/**
 * The seed's video-downloader service: {@code POST /jobs {"url": ..., "format": "audio"}}, then
 * {@code GET /jobs/{id}} until it is completed, then {@code GET /jobs/{id}/download}. A 4xx fails at once with
 * {@value #REJECTED}; a job the service reports failed is {@value #FAILED} (retryable, and listed in the download
 * stage's {@code notRetried}: a video that cannot be downloaded stays so).
 */
public final class VideoDownloaderAdapter implements AudioDownloader {

    /** The code of a URL the downloader refuses (HTTP 4xx). */
    public static final String REJECTED = "source-rejected";
    /** The code of a download job the service reports failed. */
    public static final String FAILED = "download-failed";

    private final AsyncJobClient jobs;

    public VideoDownloaderAdapter(RestClient.Builder builder, TranscribeProperties.JobService settings, Clock clock) {
        this.jobs = new AsyncJobClient(builder, settings, "video-downloader", REJECTED, FAILED, clock);
    }

    @Override
    public String name() {
        return "video-downloader";
    }

    @Override
    public DownloadedAudio download(String url, TaskContext context) {
        AsyncJobClient.Download download = jobs.run(client -> client.post().uri("/jobs")
                .contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("url", url, "format", "audio"))
                .retrieve(), context);
        if (download == null) {
            return null;
        }
        JsonNode job = download.job().body();
        JsonNode duration = job.get("duration");
        Long durationMs = duration == null || !duration.isNumber() ? null : Math.round(duration.asDouble() * 1000);
        JsonNode title = job.get("title");
        return new DownloadedAudio(download.bytes(), download.fileName(),
                title == null || title.isNull() ? null : title.asString(), durationMs);
    }
}
