package io.tally.transcribe;

import io.tally.common.config.ServiceLauncher;
import java.time.Clock;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The transcribe workers: the {@code download-audio}, {@code normalize-audio} and {@code transcribe-audio} tasks of
 * pipelines/transcribe.yml (seed 003) in one service. Known gap: the three task types scale together; split the
 * handlers into services of their own when transcription needs more instances than downloads.
 */
@SpringBootApplication
@EnableConfigurationProperties(TranscribeProperties.class)
public class TranscribeWorkersApplication {

    /** Configuration file of this service: {@code classpath:transcribe-workers.yml} (see {@link ServiceLauncher}). */
    public static final String CONFIG_NAME = "transcribe-workers";

    public static void main(String[] args) {
        ServiceLauncher.run(TranscribeWorkersApplication.class, CONFIG_NAME, args);
    }

    /** Time of the polls' deadline checks; a bean so tests can fix it. */
    @Bean
    @ConditionalOnMissingBean
    Clock transcribeClock() {
        return Clock.systemUTC();
    }
}
