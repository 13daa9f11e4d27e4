package io.tally.transcribe;

import io.tally.common.config.ServiceLauncher;
import java.time.Clock;
import java.util.Arrays;
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
    /** The package of this module's task contracts, which Avro 1.12 must trust to read them. */
    public static final String TASKS_PACKAGE = "io.tally.tasks.transcribe";

    private static final String AVRO_TRUSTED = "org.apache.avro.SERIALIZABLE_PACKAGES";

    public static void main(String[] args) {
        trustTaskContracts();
        ServiceLauncher.run(TranscribeWorkersApplication.class, CONFIG_NAME, args);
    }

    /**
     * Adds {@value #TASKS_PACKAGE} to Avro's trusted packages. Avro reads the property once, so this only works before
     * Avro is first used: {@link #main} calls it first; a JVM that starts this service otherwise (a local stack with
     * several services) passes {@code -Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.tally.events,io.tally.tasks.transcribe}.
     */
    public static void trustTaskContracts() {
        String trusted = System.getProperty(AVRO_TRUSTED, "io.tally.events");
        if (!Arrays.asList(trusted.split(",")).contains(TASKS_PACKAGE)) {
            System.setProperty(AVRO_TRUSTED, trusted + "," + TASKS_PACKAGE);
        }
    }

    /** Time of the polls' deadline checks; a bean so tests can fix it. */
    @Bean
    @ConditionalOnMissingBean
    Clock transcribeClock() {
        return Clock.systemUTC();
    }
}
