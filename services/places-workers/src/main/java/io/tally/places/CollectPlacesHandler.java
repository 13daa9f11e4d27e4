package io.tally.places;

import io.tally.places.source.Place;
import io.tally.places.source.PlacesSource;
import io.tally.places.warehouse.RawPlaces;
import io.tally.places.warehouse.Warehouse;
import io.tally.tasks.places.CollectPlacesInput;
import io.tally.tasks.places.CollectPlacesOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import io.tally.worker.TaskHandler;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code collect-places} task: the city's restaurants from the configured {@link PlacesSource} into the job's
 * raw table ({@link RawPlaces}, replaced whole, so a redelivered task does not double the rows). A source failure
 * ({@code PlacesException}) keeps its code: {@code places-unavailable} is retried, {@code places-rejected} is not.
 */
record CollectPlacesHandler(PlacesSource source, Warehouse warehouse, Clock clock)
        implements TaskHandler.Work<CollectPlacesInput, CollectPlacesOutput> {

    static final String TASK_TYPE = "collect-places";
    private static final Logger log = LoggerFactory.getLogger(CollectPlacesHandler.class);

    @Override
    public CollectPlacesOutput run(CollectPlacesInput input, TaskContext context) throws Exception {
        long start = System.nanoTime();
        if (input.getCount() < 1 || input.getCity().isBlank()) {
            throw new TaskFailedException("bad-input", "a city and a count of at least 1 are needed", false);
        }
        // A PlacesException is the task failure itself: its code and retryability reach the engine as they are.
        List<Place> places = source.restaurants(input.getCity(), input.getCount());
        Instant collectedAt = clock.instant();
        long rows = RawPlaces.replace(warehouse, input.getJobId(), input.getCity(), places, collectedAt);
        String table = Warehouse.schemaOf(input.getJobId()) + "." + RawPlaces.TABLE;
        log.info("Collected {} places of {} from {} into {}", rows, input.getCity(), source.name(), table);
        return CollectPlacesOutput.newBuilder().setCity(input.getCity()).setSource(source.name()).setRawTable(table)
                .setRows(rows).setElapsedMs(elapsedMs(start)).setCollectedAt(collectedAt).build();
    }

    static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
