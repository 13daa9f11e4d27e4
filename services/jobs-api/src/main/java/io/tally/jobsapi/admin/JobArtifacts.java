package io.tally.jobsapi.admin;

import io.tally.common.artifacts.ArtifactStore;
import io.tally.common.artifacts.FileArtifactStore;
import io.tally.events.JobStatus;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Finds and deletes one job's artifacts for deep cleanup: its result by reference ({@code results/<jobId>.json}), and
 * every artifact its result refers to; when such an artifact sits in a folder named after the job (the workers'
 * convention, {@code <task>/<jobId>/...}), the whole folder goes. Known gap: artifacts a job wrote that its result does
 * not name, outside such a folder, stay (the store cannot list by job); and with a store other than
 * {@link FileArtifactStore} only {@code results/<jobId>.json} is deleted.
 */
@Component
public class JobArtifacts {

    private static final Pattern FILE_URI = Pattern.compile("file:[^\"\\s]+");

    private final ArtifactStore store;

    public JobArtifacts(ArtifactStore store) {
        this.store = store;
    }

    /** Deletes the job's artifacts; how many files went. */
    public int delete(JobStatus job) {
        int deleted = store.deleteUnder("results/" + job.getJobId() + ".json");
        if (!(store instanceof FileArtifactStore files)) {
            return deleted;
        }
        for (String key : referencedKeys(job, files.root())) {
            deleted += store.deleteUnder(key);
        }
        return deleted;
    }

    /** The store keys the job's result refers to: a file, or its folder when the folder is named after the job. */
    private Set<String> referencedKeys(JobStatus job, Path root) {
        Set<String> keys = new LinkedHashSet<>();
        if (job.getResult() == null) {
            return keys;
        }
        Matcher matcher = FILE_URI.matcher(job.getResult());
        while (matcher.find()) {
            try {
                URI reference = URI.create(matcher.group());
                if (!store.holds(reference)) {
                    continue;
                }
                Path path = Path.of(reference).toAbsolutePath().normalize();
                Path parent = path.getParent();
                Path target = parent != null && parent.getFileName() != null
                        && parent.getFileName().toString().equals(job.getJobId()) && !parent.equals(root) ? parent : path;
                keys.add(root.relativize(target).toString().replace('\\', '/'));
            } catch (IllegalArgumentException e) {
                // Not a reference this store wrote; nothing to delete.
            }
        }
        return keys;
    }
}
