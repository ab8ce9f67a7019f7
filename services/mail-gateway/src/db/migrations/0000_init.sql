CREATE SCHEMA IF NOT EXISTS "mail";
--> statement-breakpoint
CREATE TABLE "mail"."outbound_mails" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"message_id" text NOT NULL,
	"kind" text NOT NULL,
	"document_id" text,
	"recipient" text,
	"to_address" text NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"payload" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	CONSTRAINT "outbound_mails_message_id_unique" UNIQUE("message_id")
);
--> statement-breakpoint
CREATE TABLE "mail"."reply_tokens" (
	"token" text PRIMARY KEY NOT NULL,
	"document_id" text NOT NULL,
	"recipient" text NOT NULL,
	"sender" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_at" timestamp with time zone,
	"used_at" timestamp with time zone,
	"answer_id" text
);
--> statement-breakpoint
CREATE INDEX "outbound_mails_due" ON "mail"."outbound_mails" USING btree ("next_attempt_at") WHERE "mail"."outbound_mails"."sent_at" is null and "mail"."outbound_mails"."failed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "reply_tokens_document_recipient" ON "mail"."reply_tokens" USING btree ("document_id","recipient");