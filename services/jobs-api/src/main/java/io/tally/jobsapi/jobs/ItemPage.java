package io.tally.jobsapi.jobs;

import java.util.List;

/**
 * One page of {@code GET /api/jobs/{jobId}/items}.
 *
 * @param jobId the job the items belong to
 * @param items the items of this page, in item id order
 * @param page  zero-based page number
 * @param size  page size asked for
 * @param total items matching the filters, over all pages
 */
public record ItemPage(String jobId, List<ItemResponse> items, int page, int size, long total) {
}
