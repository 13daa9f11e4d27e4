package io.tally.jobsapi.health;

import io.tally.common.tasks.TaskHeaders;
import io.tally.jobsapi.ApiProperties;
import io.tally.jobsapi.pipelines.PublishedPipelines;
import io.tally.pipeline.StageSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * The {@code downstreamWorkers} health component: for every task type a published pipeline uses (latest version of
 * each), whether any member of a consumer group or a share group (ADR 0017) is reading {@code tally.tasks.<type>}, read
 * with the admin client and cached for {@code tally.api.downstream-health-ttl}. UP when every task type has a reader,
 * {@link #DEGRADED} when one has none (the details name it and the pipelines that need it), UNKNOWN when the broker
 * cannot be asked. DEGRADED is ordered between DOWN and UP and answered with HTTP 200 (jobs-api.yml), and the readiness
 * group does not include this component: a worker that is down does not make the API unable to serve (its runs are
 * accepted and wait QUEUED or in their task topic), so taking the API out of the load balancer would only add an outage.
 * Known gap: a task type whose workers read through another mechanism (a worker in another language with its own
 * group) counts as read whenever that group has a member on the topic, whatever its health.
 */
@Component("downstreamWorkersHealthIndicator")
public class DownstreamWorkersHealthIndicator implements HealthIndicator {

    /** A task type no worker reads: jobs of its pipelines will wait, the API itself is fine. */
    public static final Status DEGRADED = new Status("DEGRADED", "a task type that a published pipeline uses has no worker");

    private static final int TIMEOUT_MS = 2000;

    private final Admin admin;
    private final PublishedPipelines pipelines;
    private final ApiProperties properties;
    private final Clock clock = Clock.systemUTC();
    private volatile Cached cached;

    public DownstreamWorkersHealthIndicator(Admin admin, PublishedPipelines pipelines, ApiProperties properties) {
        this.admin = admin;
        this.pipelines = pipelines;
        this.properties = properties;
    }

    private record Cached(Health health, Instant at) {
    }

    @Override
    public Health health() {
        Cached last = cached;
        Instant now = clock.instant();
        if (last != null && last.at().plus(properties.downstreamHealthTtl()).isAfter(now)) {
            return last.health();
        }
        Health health = check();
        cached = new Cached(health, now);
        return health;
    }

    private Health check() {
        Map<String, Set<String>> pipelinesByTask = new TreeMap<>();
        try {
            pipelines.all().forEach(versions -> versions.definition().stages().stream().map(StageSpec::task)
                    .forEach(task -> pipelinesByTask.computeIfAbsent(task, t -> new TreeSet<>())
                            .add(versions.definition().name())));
        } catch (RuntimeException e) {
            return Health.unknown().withDetail("error", "published definitions not readable yet: " + e.getMessage())
                    .build();
        }
        Map<String, Integer> readers;
        try {
            readers = readersByTopic();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.unknown().withException(e).build();
        } catch (Exception e) {
            return Health.unknown().withDetail("error", "consumer groups not readable: " + e.getMessage()).build();
        }
        Map<String, Object> taskTypes = new TreeMap<>();
        List<String> unread = new ArrayList<>();
        pipelinesByTask.forEach((task, names) -> {
            int members = readers.getOrDefault(TaskHeaders.requestTopic(task), 0);
            taskTypes.put(task, Map.of("topic", TaskHeaders.requestTopic(task), "readers", members,
                    "pipelines", List.copyOf(names)));
            if (members == 0) {
                unread.add(task);
            }
        });
        Health.Builder builder = unread.isEmpty() ? Health.up() : Health.status(DEGRADED);
        return builder.withDetail("taskTypes", taskTypes).withDetail("withoutWorkers", unread)
                .withDetail("checkedAt", clock.instant().toString()).build();
    }

    /** Members reading each topic, over every consumer and share group. */
    private Map<String, Integer> readersByTopic() throws Exception {
        List<String> consumerGroups = new ArrayList<>();
        List<String> shareGroups = new ArrayList<>();
        for (GroupListing group : admin.listGroups(new ListGroupsOptions().timeoutMs(TIMEOUT_MS)).all()
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            GroupType type = group.type().orElse(GroupType.UNKNOWN);
            if (type == GroupType.CONSUMER || type == GroupType.CLASSIC) {
                consumerGroups.add(group.groupId());
            } else if (type == GroupType.SHARE) {
                shareGroups.add(group.groupId());
            }
        }
        Map<String, Integer> readers = new TreeMap<>();
        if (!consumerGroups.isEmpty()) {
            for (ConsumerGroupDescription group : admin.describeConsumerGroups(consumerGroups).all()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS).values()) {
                group.members().forEach(member -> count(readers, member.assignment().topicPartitions()));
            }
        }
        if (!shareGroups.isEmpty()) {
            for (ShareGroupDescription group : admin.describeShareGroups(shareGroups).all()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS).values()) {
                group.members().forEach(member -> count(readers, member.assignment().topicPartitions()));
            }
        }
        return readers;
    }

    /** One reader per member and topic, however many of the topic's partitions it holds. */
    private static void count(Map<String, Integer> readers, Set<TopicPartition> partitions) {
        partitions.stream().map(TopicPartition::topic).distinct().forEach(topic -> readers.merge(topic, 1, Integer::sum));
    }
}
