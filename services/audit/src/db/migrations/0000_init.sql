CREATE SCHEMA IF NOT EXISTS "audit";
--> statement-breakpoint
CREATE TABLE "audit"."checkpoints" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"hash" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"agency" text NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit"."daily_rollups" (
	"day" date NOT NULL,
	"level" text NOT NULL,
	"agency" text NOT NULL,
	"path" text NOT NULL,
	"closed" integer DEFAULT 0 NOT NULL,
	"online" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "daily_rollups_day_level_agency_pk" PRIMARY KEY("day","level","agency")
);
--> statement-breakpoint
CREATE TABLE "audit"."ledger" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"subject" text NOT NULL,
	"type" text NOT NULL,
	"body" text NOT NULL,
	"prev" text NOT NULL,
	"hash" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit"."monthly_rollups" (
	"month" date NOT NULL,
	"level" text NOT NULL,
	"agency" text NOT NULL,
	"path" text NOT NULL,
	"closed" integer DEFAULT 0 NOT NULL,
	"online" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "monthly_rollups_month_level_agency_pk" PRIMARY KEY("month","level","agency")
);
--> statement-breakpoint
CREATE TABLE "audit"."work_files" (
	"id" uuid PRIMARY KEY NOT NULL,
	"agency" text NOT NULL,
	"path" text NOT NULL,
	"level" text,
	"origin" text,
	"signatures_valid" boolean,
	"paper" boolean DEFAULT false NOT NULL,
	"state" text,
	"opened_at" timestamp with time zone,
	"due_at" timestamp with time zone,
	"due_set_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"completed_level" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_event_id" ON "audit"."ledger" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "work_files_open" ON "audit"."work_files" USING btree ("path" text_pattern_ops,"level","due_at","opened_at","agency") WHERE "audit"."work_files"."closed_at" is null;--> statement-breakpoint
CREATE INDEX "work_files_closed_at" ON "audit"."work_files" USING btree ("closed_at","opened_at");