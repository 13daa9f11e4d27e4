package io.tally.scheduler.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.scheduler.MissedPolicy;
import io.tally.scheduler.SchedulerProperties;
import io.tally.scheduler.ScheduleSpec;
import io.tally.scheduler.cron.ScheduleLeader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;

/** The schedule list the dashboard reads: next fire time from the cron after "now", last fire time when known. */
class SchedulesControllerTest {

    private static final Instant NOW = Instant.parse("2026-11-23T16:00:00Z");

    @Test
    void listsTheNextFireTimeInTheSchedulesZoneAndNoLastFireTimeWithoutALeader() {
        // Given a daily 08:00 Berlin schedule and a replica that does not fire schedules
        ScheduleSpec daily = new ScheduleSpec("daily-chart", "beatport-chart", "0 0 8 * * *", ZoneId.of("Europe/Berlin"),
                MissedPolicy.SKIP, Map.of("date", "2026-11-23"));
        SchedulerProperties properties = new SchedulerProperties(false, Duration.ofSeconds(1), Duration.ofMinutes(1),
                List.of(daily), SchedulerProperties.Recovery.defaults());
        SchedulesController controller = new SchedulesController(properties,
                new DefaultListableBeanFactory().getBeanProvider(ScheduleLeader.class), Clock.fixed(NOW, ZoneOffset.UTC));

        // When the schedules are listed
        List<SchedulesController.ScheduleView> schedules = controller.schedules();

        // Then the next firing is tomorrow 08:00 Berlin (07:00 UTC in winter), and the last is unknown
        assertThat(schedules).singleElement().satisfies(view -> {
            assertThat(view.name()).isEqualTo("daily-chart");
            assertThat(view.zone()).isEqualTo("Europe/Berlin");
            assertThat(view.parameters()).containsEntry("date", "2026-11-23");
            assertThat(view.nextFireTime()).isEqualTo(Instant.parse("2026-11-24T07:00:00Z"));
            assertThat(view.lastFireTime()).isNull();
        });
    }

    @Test
    void showsTheLastFireTimeTheLeaderKnows() {
        // Given a weekly schedule that last fired on Sunday
        ScheduleSpec weekly = new ScheduleSpec("weekly-chart", "beatport-chart", "0 0 2 * * SUN", ZoneOffset.UTC,
                MissedPolicy.FIRE_ONCE, null);
        Instant sunday = Instant.parse("2026-11-22T02:00:00Z");

        // When it is shown with that last instant
        SchedulesController.ScheduleView view = SchedulesController.view(weekly, NOW, sunday);

        // Then both times are there, a week apart
        assertThat(view.lastFireTime()).isEqualTo(sunday);
        assertThat(view.nextFireTime()).isEqualTo(Instant.parse("2026-11-29T02:00:00Z"));
    }

    @Test
    void listsSchedulesInNameOrderWhateverTheConfigurationOrder() {
        // Given schedules configured out of name order
        ScheduleSpec weekly = new ScheduleSpec("weekly-chart", "beatport-chart", "0 0 2 * * SUN", ZoneOffset.UTC,
                MissedPolicy.FIRE_ONCE, null);
        ScheduleSpec daily = new ScheduleSpec("daily-chart", "beatport-chart", "0 0 8 * * *", ZoneOffset.UTC,
                MissedPolicy.SKIP, null);
        SchedulerProperties properties = new SchedulerProperties(false, Duration.ofSeconds(1), Duration.ofMinutes(1),
                List.of(weekly, daily), SchedulerProperties.Recovery.defaults());
        SchedulesController controller = new SchedulesController(properties,
                new DefaultListableBeanFactory().getBeanProvider(ScheduleLeader.class), Clock.fixed(NOW, ZoneOffset.UTC));

        // When they are listed
        List<SchedulesController.ScheduleView> schedules = controller.schedules();

        // Then the order is stated (by name), like every list of the API, not the configuration's
        assertThat(schedules).extracting(SchedulesController.ScheduleView::name).containsExactly("daily-chart", "weekly-chart");
    }
}
