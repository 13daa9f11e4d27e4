package io.tally.common.tasks;

import io.tally.events.tasks.BuildPlaylistInput;
import io.tally.events.tasks.BuildPlaylistOutput;
import io.tally.events.tasks.NotifyJobInput;
import io.tally.events.tasks.NotifyJobOutput;
import io.tally.events.tasks.PickNewTracksInput;
import io.tally.events.tasks.PickNewTracksOutput;
import io.tally.events.tasks.ScrapeChartInput;
import io.tally.events.tasks.ScrapeChartOutput;
import io.tally.events.tasks.SearchTrackInput;
import io.tally.events.tasks.SearchTrackOutput;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The task types of the reference pipeline (pipelines/beatport-chart.yml) with their input and output records: the
 * chart services' workers declare their handlers with them, and the local stack registers their contracts before any
 * service starts, as it does the catalogue's.
 */
public final class ChartTasks {

    /** One task type's contract: requests on {@code tally.tasks.<type>}, outputs under {@code tally.tasks.<type>.output}. */
    public record Contract(String type, Class<? extends SpecificRecord> input, Class<? extends SpecificRecord> output) {
    }

    public static final Contract SCRAPE_CHART = new Contract("scrape-chart", ScrapeChartInput.class, ScrapeChartOutput.class);
    public static final Contract PICK_NEW_TRACKS =
            new Contract("pick-new-tracks", PickNewTracksInput.class, PickNewTracksOutput.class);
    public static final Contract SEARCH_TRACK = new Contract("search-track", SearchTrackInput.class, SearchTrackOutput.class);
    public static final Contract BUILD_PLAYLIST =
            new Contract("build-playlist", BuildPlaylistInput.class, BuildPlaylistOutput.class);
    public static final Contract NOTIFY_JOB = new Contract("notify-job", NotifyJobInput.class, NotifyJobOutput.class);

    public static final List<Contract> ALL = List.of(SCRAPE_CHART, PICK_NEW_TRACKS, SEARCH_TRACK, BUILD_PLAYLIST, NOTIFY_JOB);

    private ChartTasks() {
    }
}
