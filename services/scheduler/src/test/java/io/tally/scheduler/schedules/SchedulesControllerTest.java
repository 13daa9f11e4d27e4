package io.tally.scheduler.schedules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.scheduler.MissedPolicy;
import io.tally.scheduler.Schedule;
import io.tally.scheduler.ScheduleSpec;
import io.tally.scheduler.Schedules;
import io.tally.scheduler.cron.ScheduleLeader;
import java.time.Clock;
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
        SchedulesController controller = new SchedulesController(new Schedules(List.of(daily), List::of), null,
                new DefaultListableBeanFactory().getBeanProvider(ScheduleLeader.class), Clock.fixed(NOW, ZoneOffset.UTC));

        // When the schedules are listed
        List<SchedulesController.ScheduleView> schedules = controller.schedules();

        // Then the next firing is tomorrow 08:00 Berlin (07:00 UTC in winter), and the last is unknown
        assertThat(schedules).singleElement().satisfies(view -> {
            assertThat(view.name()).isEqualTo("daily-chart");
            assertThat(view.source()).isEqualTo("config");
            assertThat(view.enabled()).isTrue();
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
        SchedulesController.ScheduleView view = SchedulesController.view(Schedule.configured(weekly), NOW, sunday);

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
        SchedulesController controller = new SchedulesController(new Schedules(List.of(weekly, daily), List::of), null,
                new DefaultListableBeanFactory().getBeanProvider(ScheduleLeader.class), Clock.fixed(NOW, ZoneOffset.UTC));

        // When they are listed
        List<SchedulesController.ScheduleView> schedules = controller.schedules();

        // Then the order is stated (by name), like every list of the API, not the configuration's
        assertThat(schedules).extracting(SchedulesController.ScheduleView::name).containsExactly("daily-chart", "weekly-chart");
    }

    @Test
    void showsADeclaredSchedulesSourceAndNoNextFireTimeWhileItIsDisabled() {
        // Given a schedule of pipeline chart version 3, disabled, and an enabled one of the same pipeline
        ScheduleSpec nightly = new ScheduleSpec("chart/nightly", "chart", "0 0 2 * * *", ZoneOffset.UTC,
                MissedPolicy.SKIP, Map.of());
        ScheduleSpec weekly = new ScheduleSpec("chart/weekly", "chart", "0 0 2 * * SUN", ZoneOffset.UTC,
                MissedPolicy.FIRE_ONCE, Map.of());
        SchedulesController controller = new SchedulesController(new Schedules(List.of(), () -> List.of(
                new Schedule(nightly, "chart@3", false, NOW), new Schedule(weekly, "chart@3", true, NOW))), null,
                new DefaultListableBeanFactory().getBeanProvider(ScheduleLeader.class), Clock.fixed(NOW, ZoneOffset.UTC));

        // When the schedules are listed
        List<SchedulesController.ScheduleView> schedules = controller.schedules();

        // Then both name their definition; the disabled one has no next fire time, the enabled one has
        assertThat(schedules).extracting(SchedulesController.ScheduleView::source).containsExactly("chart@3", "chart@3");
        assertThat(schedules.get(0).enabled()).isFalse();
        assertThat(schedules.get(0).nextFireTime()).isNull();
        assertThat(schedules.get(1).enabled()).isTrue();
        assertThat(schedules.get(1).nextFireTime()).isEqualTo(Instant.parse("2026-11-29T02:00:00Z"));
    }
}
