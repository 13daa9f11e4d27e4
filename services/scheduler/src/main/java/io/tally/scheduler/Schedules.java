package io.tally.scheduler;

import io.tally.events.ScheduleChanged;
import io.tally.scheduler.definitions.DefinitionsFollower;
import io.tally.scheduler.schedules.RunTimeSchedules;
import io.tally.scheduler.schedules.ScheduleChanges;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Every schedule the scheduler knows, configured, declared by pipeline definitions and changed or created at run time
 * ({@link RunTimeSchedules} merges the run-time state over the declarations), in name order. Names cannot
 * collide: a configured name may not contain '/' ({@link ScheduleSpec}), and every declared one is
 * {@code <pipeline>/<schedule>}, unique because pipeline names are unique and the loader refuses a duplicate schedule
 * name in a file.
 */
@Component
public class Schedules {

    private final List<Schedule> configured;
    private final Supplier<List<Schedule>> declared;
    private final BooleanSupplier ready;

    @Autowired
    public Schedules(SchedulerProperties properties, DefinitionsFollower definitions, ScheduleChanges changes) {
        this(properties.schedules(), definitions::schedules, () -> changes.records().values(),
                () -> definitions.caughtUp() && changes.caughtUp());
    }

    /**
     * @param configured the schedules of {@code tally.scheduler.schedules}
     * @param declared   the schedules of the latest version of every published pipeline, as they are now
     */
    public Schedules(List<ScheduleSpec> configured, Supplier<List<Schedule>> declared) {
        this(configured, declared, List::of, () -> true);
    }

    /**
     * @param configured the schedules of {@code tally.scheduler.schedules}
     * @param declared   the schedules of the latest version of every published pipeline, as they are now
     * @param changes    the run-time state of schedules, as it is now
     * @param ready      whether the declared schedules and the run-time state have been read whole since start
     */
    public Schedules(List<ScheduleSpec> configured, Supplier<List<Schedule>> declared,
            Supplier<Collection<ScheduleChanged>> changes, BooleanSupplier ready) {
        this.configured = configured.stream().map(Schedule::configured).toList();
        this.declared = () -> RunTimeSchedules.merge(declared.get(), changes.get());
        this.ready = ready;
    }

    /**
     * Whether the list is whole: the definitions and the run-time changes have been read to their ends since start.
     * Before that, a declared schedule a user disabled would look enabled, so the leader fires nothing yet.
     */
    public boolean ready() {
        return ready.getAsBoolean();
    }

    /** Every known schedule, disabled ones included, in name order. */
    public List<Schedule> all() {
        return Stream.concat(configured.stream(), declared.get().stream())
                .sorted(Comparator.comparing(Schedule::name))
                .toList();
    }

    /** The schedule named {@code name}, if it is listed. */
    public java.util.Optional<Schedule> find(String name) {
        return all().stream().filter(schedule -> schedule.name().equals(name)).findFirst();
    }

    /** The schedules that fire, in name order. */
    public List<Schedule> enabled() {
        return all().stream().filter(Schedule::enabled).toList();
    }
}
