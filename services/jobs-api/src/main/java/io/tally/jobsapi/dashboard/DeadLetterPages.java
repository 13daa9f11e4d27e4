package io.tally.jobsapi.dashboard;

import io.tally.jobsapi.admin.KafkaStats;
import io.tally.jobsapi.replay.DeadLetters;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The dashboard's dead-letter pages (role ADMIN, enforced by the security configuration): depth per dead-letter topic,
 * the newest records of one topic with their reasons, and redrive of one record or all of them through the same
 * {@link DeadLetters} service as the API. Every redrive is audit-logged like the API's.
 */
@Controller
@RequestMapping("/ui/dead-letters")
public class DeadLetterPages {

    /** Records listed per topic. */
    static final int LIMIT = 100;

    private static final Logger AUDIT = LoggerFactory.getLogger("io.tally.jobsapi.audit");

    private final KafkaStats stats;
    private final DeadLetters deadLetters;

    public DeadLetterPages(KafkaStats stats, DeadLetters deadLetters) {
        this.stats = stats;
        this.deadLetters = deadLetters;
    }

    @GetMapping
    public String topics(Model model) {
        model.addAttribute("depths", stats.deadLetterDepths());
        model.addAttribute("active", "dead-letters");
        return "ui/dead-letters";
    }

    @GetMapping("/{topic}")
    public String topic(@PathVariable String topic, Model model, Principal caller) {
        AUDIT.info("caller={} action=dead-letters.list topic={} limit={} via=ui", caller.getName(), topic, LIMIT);
        model.addAttribute("topic", topic);
        model.addAttribute("records", deadLetters.list(topic, LIMIT));
        model.addAttribute("depth", stats.deadLetterDepths().getOrDefault(topic, 0L));
        model.addAttribute("active", "dead-letters");
        return "ui/dead-letter-topic";
    }

    /**
     * Redrives {@code all} records of the topic, or the ones named by {@code position} ({@code partition:offset}).
     * The page asks for confirmation before it posts here.
     */
    @PostMapping("/{topic}/redrive")
    public String redrive(@PathVariable String topic, @RequestParam(defaultValue = "false") boolean all,
            @RequestParam(required = false) List<String> position, Principal caller, RedirectAttributes flash) {
        List<DeadLetters.Position> positions = all ? null : positions(position);
        AUDIT.info("caller={} action=dead-letters.redrive topic={} selection={} via=ui", caller.getName(), topic,
                all ? "all" : positions);
        DeadLetters.Redriven result = deadLetters.redrive(topic, positions);
        AUDIT.info("caller={} action=dead-letters.redrive topic={} selected={} redriven={} skipped={} via=ui",
                caller.getName(), topic, result.selected(), result.redriven(), result.skipped());
        flash.addFlashAttribute("message", "Redrove " + result.redriven() + " of " + result.selected()
                + " record(s); " + result.skipped() + " skipped (no original topic).");
        return "redirect:/ui/dead-letters/" + topic;
    }

    private static List<DeadLetters.Position> positions(List<String> positions) {
        if (positions == null || positions.isEmpty()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "position: choose a record or 'all'");
        }
        List<DeadLetters.Position> parsed = new ArrayList<>();
        for (String position : positions) {
            String[] parts = position.split(":");
            try {
                if (parts.length != 2) {
                    throw new NumberFormatException(position);
                }
                parsed.add(new DeadLetters.Position(Integer.parseInt(parts[0]), Long.parseLong(parts[1])));
            } catch (NumberFormatException e) {
                throw new ResponseStatusException(HttpStatus.BAD_REQUEST,
                        "position: must be partition:offset, not '" + position + "'");
            }
        }
        return parsed.stream().distinct().toList();
    }
}
