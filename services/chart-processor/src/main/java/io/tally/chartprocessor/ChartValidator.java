package io.tally.chartprocessor;

import io.tally.common.errors.PoisonRecordException;
import io.tally.events.ChartPublished;
import io.tally.events.ChartTrack;

/**
 * Rejects charts the processor cannot pick tracks from. Runs before the re-keying by pipeline, so a rejected chart
 * reaches the dead-letter topic with its original bytes and topic rather than those of the internal repartition topic.
 */
final class ChartValidator {

    private ChartValidator() {
    }

    /** The chart itself if it is usable; otherwise a {@link PoisonRecordException} saying why. */
    static ChartPublished validated(String key, ChartPublished chart) {
        if (isBlank(chart.getSourceKey())) {
            throw new PoisonRecordException("Chart with key '%s' has a blank sourceKey".formatted(key));
        }
        if (isBlank(chart.getJobId())) {
            throw new PoisonRecordException("Chart %s has a blank jobId".formatted(chart.getSourceKey()));
        }
        if (isBlank(chart.getPipeline())) {
            throw new PoisonRecordException("Chart %s of job %s has a blank pipeline"
                    .formatted(chart.getSourceKey(), chart.getJobId()));
        }
        for (ChartTrack track : chart.getTracks()) {
            if (isBlank(track.getTrackKey())) {
                throw new PoisonRecordException("Chart %s of job %s has a track without trackKey at position %d (%s)"
                        .formatted(chart.getSourceKey(), chart.getJobId(), track.getPosition(), track.getTitle()));
            }
        }
        return chart;
    }

    private static boolean isBlank(String text) {
        return text == null || text.isBlank();
    }
}
