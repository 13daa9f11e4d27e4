package io.tally.common.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * Answers requests that Spring Security's {@code StrictHttpFirewall} rejects (an encoded percent sign or slash, a
 * {@code ..} segment, a semicolon) with 400 problem+json; the default handler's bare {@code sendError} would not
 * name the reason.
 */
public class FirewallRejectionHandler implements RequestRejectedHandler {

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException rejected)
            throws IOException {
        // The rejected URL is not echoed: it is exactly what the firewall found suspicious.
        Problems.write(response, HttpServletResponse.SC_BAD_REQUEST,
                "The request was rejected because the URL or a header is not allowed", null);
    }
}
