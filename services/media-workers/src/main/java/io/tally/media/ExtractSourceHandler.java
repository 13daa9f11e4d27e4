package io.tally.media;

import io.tally.media.source.MediaMetadata;
import io.tally.media.source.SourceMetadata;
import io.tally.tasks.media.ExtractSourceInput;
import io.tally.tasks.media.ExtractSourceOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code extract-source}: a source URL's metadata through the adapter, as the seed's leader extracts a claimed source.
 * A source the extractor refuses or answers with garbage fails the job at once (not retryable); a slow extractor is
 * retried by the SDK.
 */
final class ExtractSourceHandler implements TaskHandler.Work<ExtractSourceInput, ExtractSourceOutput> {

    static final String TASK_TYPE = "extract-source";
    private static final Logger LOG = LoggerFactory.getLogger(ExtractSourceHandler.class);

    private final MediaMetadata metadata;

    ExtractSourceHandler(MediaMetadata metadata) {
        this.metadata = metadata;
    }

    @Override
    public ExtractSourceOutput run(ExtractSourceInput input, TaskContext context) {
        // The adapter's failures carry their code and whether another attempt can help: the task reports them as they are.
        SourceMetadata source = metadata.source(input.getUrl());
        LOG.info("Source {} ({} '{}', {} adapter): {} items", input.getUrl(), source.kind(), source.title(),
                metadata.adapter(), source.items().size());
        return ExtractSourceOutput.newBuilder().setUrl(input.getUrl()).setSourceId(source.id()).setTitle(source.title())
                .setKind(source.kind()).setItemCount(source.items().size()).setItems(source.items())
                .setAdapter(metadata.adapter()).build();
    }
}
