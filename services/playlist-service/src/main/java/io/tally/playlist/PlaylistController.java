package io.tally.playlist;

import io.tally.common.security.ApiAccessRules;
import io.tally.common.security.ApiSecurityProperties;
import io.tally.common.web.Problems;
import java.net.URI;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.springframework.context.annotation.Bean;
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
 * is not running yet (503). Needs an ADMIN caller (X-API-Key or bearer JWT, tally-common's shared security): it
 * writes to the playlist account outside the pipeline, an operator action like a redrive.
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

    /** Creating a playlist on demand is an operator action: ADMIN, like the jobs API's redrive and replay. */
    @Bean
    static ApiAccessRules playlistsNeedAdmin() {
        return (requests, properties) -> requests.requestMatchers("/api/playlists", "/api/playlists/**")
                .hasRole(ApiSecurityProperties.Role.ADMIN.name());
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> create(@RequestBody(required = false) CreatePlaylistRequest request) {
        if (request == null || request.sourceRef() == null || request.sourceRef().isBlank()) {
            return problem(HttpStatus.BAD_REQUEST, "sourceRef missing: the body must be {\"sourceRef\": \"<chart source key>\"}");
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
                return problem(HttpStatus.CONFLICT,
                        "no videos: none of the %d tracks of '%s' has a video yet".formatted(none.chartSize(), none.sourceRef()));
            }
            return problem(HttpStatus.NOT_FOUND,
                    "unknown chart: no chart with sourceRef '%s' has been published".formatted(sourceRef));
        } catch (InvalidStateStoreException e) {
            return problem(HttpStatus.SERVICE_UNAVAILABLE, "not ready: the playlist tables are not readable yet: " + e.getMessage());
        } catch (PlaylistAdapterException e) {
            return problem(HttpStatus.BAD_GATEWAY, "playlist adapter failed: " + e.getMessage());
        }
    }

    // Titles are the reason phrase, as in every Tally service (tally-common's Problems); the case goes in detail.
    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(Problems.title(status.value()));
        problem.setType(URI.create("about:blank"));
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
