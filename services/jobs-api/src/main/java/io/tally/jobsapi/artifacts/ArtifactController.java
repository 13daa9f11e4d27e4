package io.tally.jobsapi.artifacts;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.tally.common.artifacts.ArtifactStore;
import io.tally.jobsapi.dashboard.ResultView;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.Principal;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.MediaTypeFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code GET /api/artifacts?ref=<uri>} (USER): one artifact of the shared {@link ArtifactStore}, such as a job result's
 * transcript or audio file, so that result links work over HTTP; the dashboard's links use the same route under
 * {@code /ui/artifacts}, which its session cookie opens. A reference is checked with
 * {@link ArtifactStore#holds} before anything is read: a forged {@code file:} URI outside the store answers 403, one
 * whose artifact is gone 404, both as problem+json. Known gap: {@link ArtifactStore} reads an artifact whole, so the
 * body is sent from memory rather than streamed from disk; fine for transcripts and results, not for large media.
 */
@RestController
public class ArtifactController {

    private final ArtifactStore store;

    public ArtifactController(ArtifactStore store) {
        this.store = store;
    }

    @Operation(summary = "An artifact of the shared store (a job result's file), by its reference",
            description = "403 problem for a reference outside the store, 404 for one whose artifact is gone (cleaned"
                    + " up), 400 for a value that is not a URI.")
    @GetMapping({ArtifactLinks.PATH, ResultView.UI_ARTIFACTS})
    public ResponseEntity<byte[]> artifact(
            @Parameter(description = "the artifact's reference, a file: URI as a job result gives it")
            @RequestParam("ref") String ref, Principal caller) {
        URI reference;
        try {
            reference = new URI(ref);
        } catch (URISyntaxException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "ref: '" + ref + "' is not a URI");
        }
        if (!store.holds(reference)) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, "ref: " + ref
                    + " is not an artifact of this API's store; only references a job result gives can be read");
        }
        byte[] content;
        try {
            content = store.read(reference);
        } catch (ArtifactStore.NoSuchArtifactException e) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "ref: the artifact " + ref
                    + " does not exist (any more): it was cleaned up or never written");
        }
        String name = Path.of(reference).getFileName().toString();
        MediaType type = MediaTypeFactory.getMediaType(name).orElse(MediaType.APPLICATION_OCTET_STREAM);
        return ResponseEntity.ok()
                .contentType(type)
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.inline().filename(name).build().toString())
                .header("X-Content-Type-Options", "nosniff")
                .body(content);
    }
}
