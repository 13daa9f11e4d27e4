package io.tally.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.scheduler.SchedulerProperties.Recovery;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;

/** The leader loop's back-off, the checks of the settings, and the shipped defaults. */
class SchedulerPropertiesTest {

    @Test
    void doublesTheBackoffPerFailureInARowUpToTheCap() {
        // Given a back-off from 1s capped at 5s
        Recovery recovery = new Recovery(Duration.ofSeconds(1), Duration.ofSeconds(5), 5);
        // Then the waits are 1s, 2s, 4s, then 5s however many failures follow
        assertThat(recovery.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(recovery.backoff(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(recovery.backoff(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(recovery.backoff(4)).isEqualTo(Duration.ofSeconds(5));
        assertThat(recovery.backoff(1_000)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void refusesANonPositiveInitialBackoffAndACapBelowIt() {
        assertThatThrownBy(() -> new Recovery(Duration.ZERO, Duration.ofSeconds(5), 5))
                .hasMessageContaining("initial-backoff must be positive");
        assertThatThrownBy(() -> new Recovery(Duration.ofSeconds(10), Duration.ofSeconds(5), 5))
                .hasMessageContaining("max-backoff");
    }

    @Test
    void bindsTheShippedConfigurationWithNoConfiguredSchedules() throws Exception {
        // Given the service's own scheduler.yml, whose schedule list is empty ([])
        List<PropertySource<?>> yaml = new YamlPropertySourceLoader().load("scheduler.yml",
                new ClassPathResource("scheduler.yml"));

        // When tally.scheduler is bound from it
        SchedulerProperties properties = new Binder(ConfigurationPropertySources.from(yaml),
                new PropertySourcesPlaceholdersResolver(yaml)).bind("tally.scheduler", SchedulerProperties.class).get();

        // Then it binds, with no configured schedule: the pipeline definitions declare theirs
        assertThat(properties.schedules()).isEmpty();
        assertThat(properties.tick()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void refusesAConfiguredNameWithASlashWhichIsKeptForTheSchedulesOfPipelineDefinitions() {
        // Given a configured schedule named like a definition's schedule
        ScheduleSpec named = new ScheduleSpec("beatport-chart/weekly", "beatport-chart", "0 0 8 * * MON", ZoneOffset.UTC,
                MissedPolicy.SKIP, Map.of());

        // When it is validated, as binding does
        Set<ConstraintViolation<ScheduleSpec>> violations;
        try (ValidatorFactory validators = Validation.buildDefaultValidatorFactory()) {
            violations = validators.getValidator().validate(named);
        }

        // Then its name is refused, saying why
        assertThat(violations).singleElement().satisfies(violation -> {
            assertThat(violation.getPropertyPath()).hasToString("name");
            assertThat(violation.getMessage()).contains("'/' is kept for the schedules of pipeline definitions");
        });
    }
}
