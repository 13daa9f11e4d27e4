package io.tally.playlist;

import java.net.URI;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/playlists {"sourceRef": "..."}}: 201 with a new playlist, 200 with the existing one, problem+json
 * for a blank (400) or unknown (404) chart, a chart without videos (409), an adapter failure (502) and a service that
 * is not running yet (503). Known gap: no authentication; guard it at the ingress.
 */
@RestController
@RequestMapping("/api/playlists")
class PlaylistController {

    private final OnDemandPlaylists playlists;

    PlaylistController(OnDemandPlaylists playlists) {
        this.playlists = playlists;
    }

    /**
     * The request body.
     *
     * @param sourceRef chart edition, the key of the charts table (such as beatport/2024/08/12/top100)
     */
    record CreatePlaylistRequest(String sourceRef) {
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> create(@RequestBody(required = false) CreatePlaylistRequest request) {
        if (request == null || request.sourceRef() == null || request.sourceRef().isBlank()) {
            return problem(HttpStatus.BAD_REQUEST, "sourceRef missing", "the body must be {\"sourceRef\": \"<chart source key>\"}");
        }
        String sourceRef = request.sourceRef().strip();
        try {
            OnDemandPlaylists.Result result = playlists.create(sourceRef);
            if (result instanceof OnDemandPlaylists.Result.Made made) {
                return ResponseEntity.status(HttpStatus.CREATED).body(made.playlist());
            }
            if (result instanceof OnDemandPlaylists.Result.Existing existing) {
                return ResponseEntity.ok(existing.playlist());
            }
            if (result instanceof OnDemandPlaylists.Result.NoVideos none) {
                return problem(HttpStatus.CONFLICT, "no videos",
                        "none of the %d tracks of '%s' has a video yet".formatted(none.chartSize(), none.sourceRef()));
            }
            return problem(HttpStatus.NOT_FOUND, "unknown chart",
                    "no chart with sourceRef '%s' has been published".formatted(sourceRef));
        } catch (InvalidStateStoreException e) {
            return problem(HttpStatus.SERVICE_UNAVAILABLE, "not ready", "the playlist tables are not readable yet: " + e.getMessage());
        } catch (PlaylistAdapterException e) {
            return problem(HttpStatus.BAD_GATEWAY, "playlist adapter failed", e.getMessage());
        }
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        problem.setType(URI.create("about:blank"));
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
