package io.tally.worker;

import io.tally.common.errors.RetryTopicComponents;
import io.tally.common.tasks.TaskHeaders;
import io.tally.common.topics.TopicSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.kafka.retrytopic.DestinationTopic;
import org.springframework.kafka.retrytopic.RetryTopicComponentFactory;
import org.springframework.kafka.retrytopic.RetryTopicConfiguration;

/**
 * The retry-topic components of a worker. Spring Kafka takes one {@link RetryTopicComponentFactory} bean per
 * application (with two it silently uses its own, whose chains end in {@code <topic>-dlt}), so an application with
 * retry topics of its own declares {@link #componentFactory(TopicSpec)} as that one bean: each task type's chain ends
 * in {@code tally.dlt.tasks.<type>} with the last {@link TaskFailedException}'s code on every hop, every other chain
 * in the application's dead-letter topic. {@link #check} refuses to start a task type whose chain would end elsewhere.
 */
public final class TaskRetryTopics {

    private TaskRetryTopics() {
    }

    /** Components for task request topics only: the SDK's bean when the application declares none. */
    public static RetryTopicComponentFactory componentFactory() {
        return RetryTopicComponents.deadLetteringTo(TaskHeaders::deadLetterTopicOf, TaskRetryTopics::errorCodeHeaders);
    }

    /** Task chains as in {@link #componentFactory()}; every other chain ends in {@code deadLetters}. */
    public static RetryTopicComponentFactory componentFactory(TopicSpec<byte[]> deadLetters) {
        return componentFactory(deadLetters, (record, failure) -> new RecordHeaders());
    }

    /**
     * As {@link #componentFactory(TopicSpec)}, with {@code extraHeaders} on every hop of the application's own chains
     * (such as the channels a notification already reached).
     */
    public static RetryTopicComponentFactory componentFactory(TopicSpec<byte[]> deadLetters,
                                                              BiFunction<ConsumerRecord<?, ?>, Exception, Headers> extraHeaders) {
        String applicationDeadLetters = deadLetters.name();
        return RetryTopicComponents.deadLetteringTo(
                mainTopic -> TaskHeaders.isRequestTopic(mainTopic) ? TaskHeaders.deadLetterTopicOf(mainTopic) : applicationDeadLetters,
                (record, failure) -> TaskHeaders.requestTopicOf(record.topic()) != null
                        ? errorCodeHeaders(record, failure) : extraHeaders.apply(record, failure));
    }

    /** The dead-letter topic {@code components} end {@code chain} (the retry topics of {@code requestTopic}) in. */
    static String deadLetterTopic(RetryTopicComponentFactory components, RetryTopicConfiguration chain, String requestTopic) {
        List<DestinationTopic.Properties> destinations = chain.getDestinationTopicProperties();
        DestinationTopic.Properties deadLetters = destinations.get(destinations.size() - 1);
        return components.retryTopicNamesProviderFactory().createRetryTopicNamesProvider(deadLetters).getTopicName(requestTopic);
    }

    /**
     * Fails when {@code components} (the application's one factory, or Spring's default) would end {@code chain}, the
     * retry topics of {@code taskType}, anywhere but {@code tally.dlt.tasks.<type>}, where the SDK's dead-letter
     * listener reads.
     */
    static void check(RetryTopicComponentFactory components, RetryTopicConfiguration chain, String taskType) {
        String expected = TaskHeaders.deadLetterTopic(taskType);
        String actual = deadLetterTopic(components, chain, TaskHeaders.requestTopic(taskType));
        if (!expected.equals(actual)) {
            throw new IllegalStateException(("The application's RetryTopicComponentFactory ends the retry chain of task type "
                    + "%s in %s instead of %s; declare TaskRetryTopics.componentFactory(<your dead-letter topic>) as the "
                    + "application's only RetryTopicComponentFactory bean").formatted(taskType, actual, expected));
        }
    }

    /** The extra header of a task's hop: the code of a {@link TaskFailedException} among the failure's causes. */
    private static Headers errorCodeHeaders(ConsumerRecord<?, ?> record, Exception failure) {
        String code = TaskListener.errorCode(failure);
        return code == null ? new RecordHeaders() : new RecordHeaders(List.of(
                new RecordHeader(TaskListener.ERROR_CODE_HEADER, code.getBytes(StandardCharsets.UTF_8))));
    }
}
