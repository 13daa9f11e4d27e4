package io.tally.common.web;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.coyote.ActionCode;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Tomcat's host-level error report, as problem+json instead of an HTML page. Tomcat itself rejects some requests
 * before any servlet (an encoded slash or invalid characters in the request target, a malformed header) and renders
 * them through this valve; everything that reaches the application is answered by Spring instead.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        // The same guards as Tomcat's own report: only errors, only when nothing was written and I/O is still allowed.
        if (status < 400 || response.getContentWritten() > 0) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        try {
            // The raw request target is not echoed: it is exactly what Tomcat found malformed.
            byte[] body = Problems.json(status, detail(response), null);
            response.setContentType(Problems.MEDIA_TYPE);
            response.setContentLength(body.length);
            OutputStream out = response.getOutputStream();
            out.write(body);
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // The client is gone or the response was taken over meanwhile; there is nobody left to tell.
        }
    }

    private static String detail(Response response) {
        String message = response.getMessage();
        return message == null || message.isBlank() ? "The request was rejected by the server before it was handled"
                : message;
    }
}
