package io.tally.jobsapi.jobs;

import java.util.List;

/**
 * One page of {@code GET /api/jobs}.
 *
 * @param items the jobs of this page, newest first
 * @param page  zero-based page number
 * @param size  page size asked for
 * @param total jobs matching the filters, over all pages
 */
public record JobPage(List<JobResponse> items, int page, int size, long total) {
}
