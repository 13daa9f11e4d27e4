package io.tally.transcribe.download;

import io.tally.common.jobs.JobIds;
import io.tally.transcribe.Wav;
import io.tally.worker.TaskContext;

/**
 * The offline default of {@code download-audio}: no network, a short stereo 44.1 kHz WAV tone whose length (2-5 s) and
 * pitch (220-880 Hz) come from the URL's SHA-256, so the same URL always gives the same bytes. Its title says it is
 * offline. It cannot tell a real URL from a bad one: every http(s) URL the pipeline lets through gets a tone.
 */
public final class OfflineAudioDownloader implements AudioDownloader {

    static final int SAMPLE_RATE = 44_100;
    static final int CHANNELS = 2;

    @Override
    public String name() {
        return "offline";
    }

    @Override
    public DownloadedAudio download(String url, TaskContext context) {
        String hash = JobIds.sha256Hex(url);
        long millis = 2_000 + Long.parseLong(hash.substring(0, 4), 16) % 3_001;
        double hertz = 220 + Long.parseLong(hash.substring(4, 8), 16) % 661;
        byte[] wav = Wav.tone(SAMPLE_RATE, CHANNELS, millis, hertz);
        return new DownloadedAudio(wav, "offline-" + hash.substring(0, 12) + ".wav",
                "Offline tone for %s (%d Hz; the offline downloader fetched nothing)".formatted(url, Math.round(hertz)),
                Wav.durationMs(wav));
    }
}
