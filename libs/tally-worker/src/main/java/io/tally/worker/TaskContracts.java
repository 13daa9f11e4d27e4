package io.tally.worker;

import io.tally.common.kafka.AvroSerdes;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Registers each task type's contract at start-up, before any listener container starts (containers start with
 * the context's lifecycle, after every singleton is initialised): the input schema under
 * {@code tally.tasks.<type>-value}, which the engine encodes requests with (ADR 0016), and the output schema under
 * {@code tally.tasks.<type>.output}. Contracts before producers (ADR 0011): the engine is the producer of requests,
 * and until a worker has registered the input, every attempt of the type fails with "no input schema".
 * Idempotent: a schema that is already the artifact's content is found, not registered again. A registry that cannot
 * be reached fails the start, so a worker never consumes without its contract in place.
 * Known gap: a handler built without an output type ({@code TaskHandler.of(type, input, work)}) has only its input
 * registered here; its output is registered with its first result.
 */
final class TaskContracts implements SmartInitializingSingleton {

    private static final Logger LOG = LoggerFactory.getLogger(TaskContracts.class);

    private final List<TaskHandler<?, ?>> handlers;
    private final AvroSerdes serdes;

    TaskContracts(List<TaskHandler<?, ?>> handlers, AvroSerdes serdes) {
        this.handlers = handlers;
        this.serdes = serdes;
    }

    @Override
    public void afterSingletonsInstantiated() {
        List<String> artifacts = register();
        LOG.info("Task contracts registered: {}", artifacts);
    }

    /** Registers every handler's input (and output, when known) and returns the artifact ids. */
    List<String> register() {
        List<String> artifacts = new ArrayList<>();
        for (TaskHandler<?, ?> handler : handlers) {
            String type = handler.taskType();
            try {
                artifacts.addAll(serdes.registerTaskContract(type, handler.inputType(), handler.outputType()));
            } catch (RuntimeException e) {
                throw new IllegalStateException("could not register the contract of task type " + type
                        + " in the schema registry: " + e.getMessage(), e);
            }
        }
        return artifacts;
    }
}
