package io.tally.media.source;

import io.tally.worker.TaskFailedException;
import io.tally.tasks.media.MediaItem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The real adapter: runs a yt-dlp-compatible executable as {@code <executable> -J --flat-playlist <url>} and reads
 * the JSON it prints. A non-zero exit is the extractor refusing the URL (private, deleted, no such list): not
 * retryable, with the last line of its standard error as the reason. A run longer than {@code timeout} is killed and
 * retryable. Known gap: every call starts a process (about a second for yt-dlp), which is fine per source and per
 * video, not for thousands a minute.
 */
public final class YtDlpMetadata implements MediaMetadata {

    private final String executable;
    private final Duration timeout;

    public YtDlpMetadata(String executable, Duration timeout) {
        this.executable = executable;
        this.timeout = timeout;
    }

    @Override
    public SourceMetadata source(String url) {
        return YtDlpJson.source(run(url, MediaMetadata.SOURCE_UNAVAILABLE), executable + " on " + url);
    }

    @Override
    public MediaItem video(String url) {
        return YtDlpJson.video(run(url, MediaMetadata.VIDEO_UNAVAILABLE), executable + " on " + url);
    }

    @Override
    public String adapter() {
        return "yt-dlp";
    }

    private String run(String url, String refusedCode) {
        Process process;
        try {
            process = new ProcessBuilder(List.of(executable, "-J", "--flat-playlist", "--no-warnings", url)).start();
        } catch (IOException e) {
            throw new TaskFailedException(refusedCode, "cannot run " + executable + ": " + e.getMessage()
                    + " (set tally.media.metadata.executable)", false);
        }
        // Both streams are drained while it runs: a full pipe buffer would block the extractor.
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new TaskFailedException(MediaMetadata.TIMEOUT, executable + " did not answer for " + url
                        + " within " + timeout, true);
            }
            if (process.exitValue() != 0) {
                throw new TaskFailedException(refusedCode, executable + " exited " + process.exitValue() + " for " + url
                        + ": " + lastLine(err.get()), false);
            }
            return out.get();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TaskFailedException(MediaMetadata.TIMEOUT, "interrupted while " + executable + " ran", true);
        } catch (ExecutionException e) {
            throw new TaskFailedException(MediaMetadata.UNREADABLE, "cannot read the output of " + executable + ": "
                    + e.getCause().getMessage(), false);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }, YtDlpMetadata::ownThread);
    }

    /** A thread per stream: in the common pool (one thread on a small machine) one drain could wait on the other. */
    private static void ownThread(Runnable drain) {
        Thread thread = new Thread(drain, "yt-dlp-output");
        thread.setDaemon(true);
        thread.start();
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\\R");
        String last = lines[lines.length - 1].strip();
        return last.isEmpty() ? "(nothing on standard error)" : last;
    }
}
