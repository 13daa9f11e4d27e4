package io.tally.scheduler.manual;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import java.security.Principal;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** HTTP entry for manual runs: {@code POST /api/triggers}, answered 202 with the trigger and job ids. */
@RestController
@Validated
@RequestMapping("/api/triggers")
class ManualTriggerController {

    private final ManualTriggers triggers;

    ManualTriggerController(ManualTriggers triggers) {
        this.triggers = triggers;
    }

    /** The caller (an API key's name or a JWT's subject, from the shared security) is recorded as requestedBy. */
    @PostMapping
    ResponseEntity<TriggerAccepted> trigger(Principal caller, @Valid @RequestBody TriggerRequest request,
            @RequestHeader(name = "Idempotency-Key", required = false)
            @Pattern(regexp = "[\\x21-\\x7e]{1,200}", message = "must be 1 to 200 visible ASCII characters") String idempotencyKey) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(triggers.trigger(request, idempotencyKey, caller.getName()));
    }
}
