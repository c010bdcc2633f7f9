// The image or video under review, opened from the queue: a redirect to its short-lived link,
// asked for only when the reviewer opens it (the API audits each look).
import { redirect } from '@sveltejs/kit';
import { serverApi } from '#lib/server/api.ts';
import { must } from '#lib/server/results.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  const link = must(await serverApi(event).moderation.media(event.params.reviewId));
  redirect(303, link.url);
};
