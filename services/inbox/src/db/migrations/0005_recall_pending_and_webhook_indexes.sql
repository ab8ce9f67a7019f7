ALTER TABLE "inbox"."work_files" ADD COLUMN "recall_pending" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_delivered" ON "inbox"."webhook_deliveries" USING btree ("finished_at") WHERE "inbox"."webhook_deliveries"."state" = 'delivered';--> statement-breakpoint
CREATE INDEX "webhook_deliveries_pending_agency" ON "inbox"."webhook_deliveries" USING btree ("agency") WHERE "inbox"."webhook_deliveries"."state" = 'pending';--> statement-breakpoint
-- Work files whose item has a recall still to answer.
UPDATE "inbox"."work_files" w SET "recall_pending" = true FROM "inbox"."items" i
WHERE i."id" = w."item_id" AND i."recall_requested_at" IS NOT NULL AND i."recall_answer" IS NULL;
