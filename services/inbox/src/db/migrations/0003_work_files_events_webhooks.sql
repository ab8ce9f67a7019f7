CREATE TABLE "inbox"."events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"agency" text NOT NULL,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbox"."webhook_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"agency" text NOT NULL,
	"event_id" uuid NOT NULL,
	"event_seq" bigint NOT NULL,
	"body" jsonb NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_status" integer,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "inbox"."webhooks" (
	"agency" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbox"."work_file_documents" (
	"work_file_id" uuid NOT NULL,
	"document_id" text NOT NULL,
	"role" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "work_file_documents_work_file_id_document_id_pk" PRIMARY KEY("work_file_id","document_id")
);
--> statement-breakpoint
CREATE TABLE "inbox"."work_files" (
	"id" uuid PRIMARY KEY NOT NULL,
	"agency" text NOT NULL,
	"origin" text NOT NULL,
	"item_id" uuid,
	"title" text NOT NULL,
	"state" text NOT NULL,
	"due_at" timestamp with time zone,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"paper" boolean DEFAULT false NOT NULL,
	"official" jsonb,
	"note" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "inbox"."steps_unpublished";--> statement-breakpoint
ALTER TABLE "inbox"."steps" ALTER COLUMN "item_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "inbox"."items" ADD COLUMN "search" "tsvector";--> statement-breakpoint
ALTER TABLE "inbox"."steps" ADD COLUMN "work_file_id" uuid;--> statement-breakpoint
-- Items that arrived before work files existed each get theirs, with the item's id, as an arrival opens one now.
INSERT INTO "inbox"."work_files" ("id", "agency", "origin", "item_id", "title", "state", "due_at", "opened_at", "closed_at", "paper", "updated_at")
SELECT i."id", i."recipient", 'exchange', i."id", i."subject", i."state",
  CASE WHEN i."fields" ? 'dueDate' THEN ((i."fields"->>'dueDate') || 'T23:59:59.999+07:00')::timestamptz END,
  i."received_at",
  CASE WHEN i."state" IN ('02', '06') OR i."recall_answer" = '15' THEN i."updated_at" END,
  EXISTS (SELECT 1 FROM "inbox"."steps" s WHERE s."item_id" = i."id" AND s."channel" = 'paper'),
  i."updated_at"
FROM "inbox"."items" i;--> statement-breakpoint
UPDATE "inbox"."steps" SET "work_file_id" = "item_id";--> statement-breakpoint
UPDATE "inbox"."items" SET "search" = to_tsvector('simple', lower("subject"));--> statement-breakpoint
ALTER TABLE "inbox"."steps" ALTER COLUMN "work_file_id" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "events_created" ON "inbox"."events" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_agency_event" ON "inbox"."webhook_deliveries" USING btree ("agency","event_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due" ON "inbox"."webhook_deliveries" USING btree ("next_attempt_at") WHERE "inbox"."webhook_deliveries"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "webhook_deliveries_dead" ON "inbox"."webhook_deliveries" USING btree ("agency","id") WHERE "inbox"."webhook_deliveries"."state" = 'dead';--> statement-breakpoint
CREATE UNIQUE INDEX "work_files_item" ON "inbox"."work_files" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "work_files_agency_id" ON "inbox"."work_files" USING btree ("agency","id");--> statement-breakpoint
CREATE INDEX "work_files_open_due" ON "inbox"."work_files" USING btree ("agency","due_at") WHERE "inbox"."work_files"."closed_at" is null;--> statement-breakpoint
CREATE INDEX "items_recipient_state_id" ON "inbox"."items" USING btree ("recipient","state","id");--> statement-breakpoint
CREATE INDEX "items_search" ON "inbox"."items" USING gin ("search");--> statement-breakpoint
CREATE UNIQUE INDEX "steps_work_file_code" ON "inbox"."steps" USING btree ("work_file_id","code");--> statement-breakpoint
CREATE INDEX "steps_unpublished" ON "inbox"."steps" USING btree ("at") WHERE ("inbox"."steps"."published_at" is null and "inbox"."steps"."item_id" is not null);