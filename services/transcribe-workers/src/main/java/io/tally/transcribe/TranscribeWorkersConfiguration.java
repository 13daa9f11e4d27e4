package io.tally.transcribe;

import io.tally.common.artifacts.ArtifactStore;
import io.tally.tasks.transcribe.DownloadAudioInput;
import io.tally.tasks.transcribe.DownloadAudioOutput;
import io.tally.tasks.transcribe.NormalizeAudioInput;
import io.tally.tasks.transcribe.NormalizeAudioOutput;
import io.tally.tasks.transcribe.TranscribeAudioInput;
import io.tally.tasks.transcribe.TranscribeAudioOutput;
import io.tally.transcribe.download.AudioDownloader;
import io.tally.transcribe.download.OfflineAudioDownloader;
import io.tally.transcribe.download.VideoDownloaderAdapter;
import io.tally.transcribe.normalize.AudioNormalizationAdapter;
import io.tally.transcribe.normalize.AudioNormalizer;
import io.tally.transcribe.normalize.OfflineAudioNormalizer;
import io.tally.transcribe.transcription.OfflineTranscriber;
import io.tally.transcribe.transcription.OpenAiTranscriber;
import io.tally.transcribe.transcription.Transcriber;
import io.tally.worker.TaskHandler;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

/**
 * Wires the adapter each stage's {@code tally.transcribe.*.adapter} chooses and the three tasks of the worker SDK
 * (retry topics and dead-letter topics {@code tally.dlt.tasks.<type>} are the SDK's). Each adapter logs at start
 * whether it is the offline one.
 */
@Configuration(proxyBeanMethods = false)
class TranscribeWorkersConfiguration {

    private static final Logger log = LoggerFactory.getLogger(TranscribeWorkersConfiguration.class);

    @Bean
    AudioDownloader audioDownloader(TranscribeProperties properties, ObjectProvider<RestClient.Builder> http, Clock clock) {
        return switch (properties.download().adapter()) {
            case OFFLINE -> {
                log.info("download-audio: offline downloader (a generated tone per URL, no network)");
                yield new OfflineAudioDownloader();
            }
            case HTTP -> {
                log.info("download-audio: video-downloader at {}", properties.download().service().baseUrl());
                yield new VideoDownloaderAdapter(builder(http), properties.download().service(), clock);
            }
        };
    }

    @Bean
    AudioNormalizer audioNormalizer(TranscribeProperties properties, ObjectProvider<RestClient.Builder> http, Clock clock) {
        return switch (properties.normalize().adapter()) {
            case OFFLINE -> {
                log.info("normalize-audio: offline normaliser (javax.sound.sampled: mono and 16 kHz only)");
                yield new OfflineAudioNormalizer();
            }
            case HTTP -> {
                log.info("normalize-audio: audio-normalization at {}", properties.normalize().service().baseUrl());
                yield new AudioNormalizationAdapter(builder(http), properties.normalize().service(), clock);
            }
        };
    }

    @Bean
    Transcriber transcriber(TranscribeProperties properties, ObjectProvider<RestClient.Builder> http) {
        return switch (properties.transcriber().adapter()) {
            case OFFLINE -> {
                log.info("transcribe-audio: offline transcriber (no speech recognition; text derived from the audio)");
                yield new OfflineTranscriber();
            }
            case OPENAI -> {
                log.info("transcribe-audio: OpenAI-compatible API at {} (model {})",
                        properties.transcriber().baseUrl(), properties.transcriber().model());
                yield new OpenAiTranscriber(builder(http), properties.transcriber());
            }
        };
    }

    @Bean
    StageArtifacts stageArtifacts(ArtifactStore store) {
        return new StageArtifacts(store);
    }

    @Bean
    TaskHandler<DownloadAudioInput, DownloadAudioOutput> downloadAudioTask(AudioDownloader downloader,
                                                                          StageArtifacts artifacts) {
        return TaskHandler.of(DownloadAudioHandler.TASK_TYPE, DownloadAudioInput.class, DownloadAudioOutput.class,
                new DownloadAudioHandler(downloader, artifacts));
    }

    @Bean
    TaskHandler<NormalizeAudioInput, NormalizeAudioOutput> normalizeAudioTask(AudioNormalizer normalizer,
                                                                             StageArtifacts artifacts) {
        return TaskHandler.of(NormalizeAudioHandler.TASK_TYPE, NormalizeAudioInput.class, NormalizeAudioOutput.class,
                new NormalizeAudioHandler(normalizer, artifacts));
    }

    @Bean
    TaskHandler<TranscribeAudioInput, TranscribeAudioOutput> transcribeAudioTask(Transcriber transcriber,
                                                                                StageArtifacts artifacts,
                                                                                TranscribeProperties properties) {
        return TaskHandler.of(TranscribeAudioHandler.TASK_TYPE, TranscribeAudioInput.class, TranscribeAudioOutput.class,
                new TranscribeAudioHandler(transcriber, artifacts, properties.inlineLimit().toBytes(),
                        properties.previewChars()));
    }

    /** Boot's builder when there is one (metrics, its settings), else a plain one. */
    private static RestClient.Builder builder(ObjectProvider<RestClient.Builder> http) {
        return http.getIfAvailable(RestClient::builder);
    }
}
