package io.tally.jobsapi.jobs;

import io.tally.common.artifacts.ArtifactStore;
import io.tally.events.JobStatus;
import io.tally.jobsapi.artifacts.ArtifactLinks;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A job's result as the API shows it: parsed from its status, or read from the artifact store when the engine kept
 * it by reference, with artifact references turned into links. A result that cannot be read (its artifact was
 * cleaned up, or the reference is not this store's) makes the job answer with {@code resultError}, never a 500: the
 * rest of the job is still worth showing.
 */
@Component
public class JobResults {

    private final ArtifactStore store;
    private final ArtifactLinks links;
    private final JsonMapper json;

    public JobResults(ArtifactStore store, ArtifactLinks links, JsonMapper json) {
        this.store = store;
        this.links = links;
        this.json = json;
    }

    /** {@code response} with the result of {@code status}, when it has one. */
    public JobResponse resolve(JobStatus status, JobResponse response) {
        if (status.getResult() == null && status.getResultRef() == null) {
            return response;
        }
        if (status.getResult() != null) {
            return parse(status.getResult(), response, null);
        }
        String ref = status.getResultRef();
        URI reference;
        try {
            reference = URI.create(ref);
        } catch (IllegalArgumentException e) {
            return response.withResult(null, "the result reference '" + ref + "' is not a URI", null);
        }
        if (!store.holds(reference)) {
            return response.withResult(null, "the result is stored at " + ref + ", which is not in this API's"
                    + " artifact store (tally.artifacts.dir must be the directory the engine writes to)", null);
        }
        try {
            return parse(new String(store.read(reference), StandardCharsets.UTF_8), response, links.link(ref));
        } catch (ArtifactStore.NoSuchArtifactException e) {
            return response.withResult(null, "the result artifact " + ref + " is gone (cleaned up?)", null);
        }
    }

    private JobResponse parse(String text, JobResponse response, String link) {
        try {
            return response.withResult(links.rewrite(json.readTree(text)), null, link);
        } catch (JacksonException e) {
            return response.withResult(null, "the stored result is not JSON: " + e.getOriginalMessage(), link);
        }
    }
}
