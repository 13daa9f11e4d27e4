package io.tally.cli;

import java.nio.charset.Charset;

/** The 20-character progress bar of the demos' progress lines: {@code #} for done, a middle dot for the rest. */
final class ProgressBar {

    private static final int WIDTH = 20;

    private ProgressBar() {
    }

    /** The bar for {@code percent} (0 to 100). */
    static String of(int percent) {
        int filled = percent * WIDTH / 100;
        // The middle dot reads better, but a terminal without UTF-8 would show '?'.
        char empty = Charset.defaultCharset().newEncoder().canEncode('\u00b7') ? '\u00b7' : '.';
        return "#".repeat(filled) + String.valueOf(empty).repeat(WIDTH - filled);
    }
}
