package io.tally.scheduler;

import io.tally.common.config.ServiceLauncher;
import java.time.Clock;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The scheduler service: fires each instant of the configured schedules, of those the published pipeline definitions
 * declare and of those created at run time once, from whichever replica leads, with the run-time state of
 * {@code tally.scheduler.schedules} merged over the declarations; plus manual triggers and the schedule API.
 */
@SpringBootApplication
@EnableConfigurationProperties(SchedulerProperties.class)
public class SchedulerApplication {

    /** Configuration file of this service: {@code classpath:scheduler.yml} (see {@link ServiceLauncher}). */
    public static final String CONFIG_NAME = "scheduler";

    public static void main(String[] args) {
        ServiceLauncher.run(SchedulerApplication.class, CONFIG_NAME, args);
    }

    /** Wall clock of the schedules; a bean so tests (and the CLI) can run the scheduler on another clock. */
    @Bean
    @ConditionalOnMissingBean
    Clock schedulerClock() {
        return Clock.systemUTC();
    }
}
