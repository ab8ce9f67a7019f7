ALTER TABLE "inbox"."items" ADD COLUMN "recall_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "inbox"."items" ADD COLUMN "recall_note" text;--> statement-breakpoint
ALTER TABLE "inbox"."items" ADD COLUMN "recall_answer" text;--> statement-breakpoint
ALTER TABLE "inbox"."items" ADD COLUMN "recall_answered_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "items_recipient_original" ON "inbox"."items" USING btree ("recipient",("fields"->'business'->>'original')) WHERE "inbox"."items"."fields" ? 'business';