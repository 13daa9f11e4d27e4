package io.tally.jobsapi.workers;

import io.tally.jobsapi.ApiProperties;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The members of the workers' consumer groups ({@code tally-worker-<type>}, the SDK's default group id) as Kafka
 * reports them, read with the API's admin client and cached for {@code tally.api.downstream-health-ttl}. Known gap:
 * a worker configured with another group id ({@code tally.worker.tasks.<type>.group-id}) is not joined.
 */
@Component
public class WorkerGroups {

    /** Prefix of the SDK's default consumer group of a task type. */
    public static final String GROUP_PREFIX = "tally-worker-";

    private static final Logger LOG = LoggerFactory.getLogger(WorkerGroups.class);
    private static final int TIMEOUT_MS = 2000;

    private final Admin admin;
    private final ApiProperties properties;
    private final Clock clock;
    private volatile Snapshot cached;

    @Autowired
    public WorkerGroups(Admin admin, ApiProperties properties) {
        this(admin, properties, Clock.systemUTC());
    }

    WorkerGroups(Admin admin, ApiProperties properties, Clock clock) {
        this.admin = admin;
        this.properties = properties;
        this.clock = clock;
    }

    /** One member of a worker group: its static instance id ({@code group.instance.id}), client id and partitions. */
    public record Member(String groupInstanceId, String clientId, List<Integer> partitions) {
    }

    /**
     * Members by task type, when Kafka reported them ({@code readAt}); {@code error} says why they are missing when
     * the groups could not be read (the view then shows heartbeats alone).
     */
    public record Snapshot(Map<String, List<Member>> membersByType, Instant readAt, String error) {

        /** The partitions of {@code type} held by instance {@code instanceId}, or null when it is not in the group. */
        public List<Integer> partitionsOf(String instanceId, String type) {
            String staticId = instanceId + "-" + type;
            List<Integer> held = null;
            for (Member member : membersByType.getOrDefault(type, List.of())) {
                String id = member.groupInstanceId();
                // Spring Kafka appends "-<n>" to the static id of each consumer of a concurrent container.
                if (id != null && (id.equals(staticId) || id.startsWith(staticId + "-"))) {
                    held = held == null ? new ArrayList<>() : held;
                    held.addAll(member.partitions());
                }
            }
            if (held != null) {
                held.sort(Integer::compareTo);
            }
            return held;
        }
    }

    /** The current members, at most the cache ttl old. */
    public Snapshot members() {
        Snapshot last = cached;
        Instant now = clock.instant();
        if (last != null && last.readAt().plus(properties.downstreamHealthTtl()).isAfter(now)) {
            return last;
        }
        Snapshot read = read(now);
        cached = read;
        return read;
    }

    private Snapshot read(Instant now) {
        try {
            List<String> groups = new ArrayList<>();
            for (GroupListing group : admin.listGroups(new ListGroupsOptions().timeoutMs(TIMEOUT_MS)).all()
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                if (group.groupId().startsWith(GROUP_PREFIX)) {
                    groups.add(group.groupId());
                }
            }
            Map<String, List<Member>> byType = new TreeMap<>();
            if (!groups.isEmpty()) {
                for (ConsumerGroupDescription group : admin.describeConsumerGroups(groups).all()
                        .get(TIMEOUT_MS, TimeUnit.MILLISECONDS).values()) {
                    List<Member> members = new ArrayList<>();
                    for (MemberDescription member : group.members()) {
                        members.add(new Member(member.groupInstanceId().orElse(null), member.clientId(),
                                member.assignment().topicPartitions().stream().map(TopicPartition::partition)
                                        .sorted().toList()));
                    }
                    byType.put(group.groupId().substring(GROUP_PREFIX.length()), members);
                }
            }
            return new Snapshot(byType, now, null);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("Could not read the worker consumer groups; the workers view shows heartbeats only: {}", e.toString());
            return new Snapshot(Map.of(), now, "consumer groups not readable: " + e.getMessage());
        }
    }
}
