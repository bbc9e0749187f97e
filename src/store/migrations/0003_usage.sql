CREATE TABLE `call_logs` (
	`usage_id` integer PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`client_request` text NOT NULL,
	`upstream_request` text,
	`upstream_response` text,
	`client_response` text,
	`truncated` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `call_logs_started_at` ON `call_logs` (`started_at`);--> statement-breakpoint
CREATE TABLE `pricing_overrides` (
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`input` real NOT NULL,
	`output` real NOT NULL,
	`cached_input` real,
	`cache_write` real,
	`reasoning` real,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`provider`, `model`)
);
--> statement-breakpoint
CREATE TABLE `usage_attempts` (
	`id` integer PRIMARY KEY NOT NULL,
	`usage_id` integer NOT NULL,
	`started_at` integer NOT NULL,
	`attempt` integer NOT NULL,
	`provider` text NOT NULL,
	`connection_id` text NOT NULL,
	`model` text NOT NULL,
	`status` integer,
	`failure` text,
	`error` text,
	`latency_ms` real NOT NULL
);
--> statement-breakpoint
CREATE INDEX `usage_attempts_started_at` ON `usage_attempts` (`started_at`);--> statement-breakpoint
CREATE INDEX `usage_attempts_connection` ON `usage_attempts` (`connection_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `usage_attempts_usage` ON `usage_attempts` (`usage_id`);--> statement-breakpoint
CREATE TABLE `usage_budgets` (
	`api_key_id` text PRIMARY KEY NOT NULL,
	`daily_usd` real,
	`weekly_usd` real,
	`monthly_usd` real,
	`warn_at` real DEFAULT 0.8 NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `usage_hourly` (
	`hour` integer NOT NULL,
	`api_key_id` text NOT NULL,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`connection_id` text NOT NULL,
	`error_type` text NOT NULL,
	`requests` integer NOT NULL,
	`successes` integer NOT NULL,
	`aborted` integer NOT NULL,
	`fallbacks` integer NOT NULL,
	`attempts` integer NOT NULL,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`cached_input_tokens` integer NOT NULL,
	`cache_write_tokens` integer NOT NULL,
	`reasoning_tokens` integer NOT NULL,
	`cost_usd` real NOT NULL,
	`unpriced` integer NOT NULL,
	`latency_ms_sum` real NOT NULL,
	PRIMARY KEY(`hour`, `api_key_id`, `provider`, `model`, `connection_id`, `error_type`)
);
--> statement-breakpoint
CREATE TABLE `usage_latency` (
	`metric` text NOT NULL,
	`hour` integer NOT NULL,
	`bucket` integer NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`metric`, `hour`, `bucket`)
);
--> statement-breakpoint
CREATE TABLE `usage_records` (
	`id` integer PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL,
	`request_id` text NOT NULL,
	`api_key_id` text NOT NULL,
	`client_dialect` text NOT NULL,
	`requested_model` text NOT NULL,
	`provider` text,
	`connection_id` text,
	`model` text,
	`combo` text,
	`combo_step` integer,
	`stream` integer NOT NULL,
	`status` integer NOT NULL,
	`error_type` text,
	`error_message` text,
	`attempts` integer NOT NULL,
	`aborted` integer NOT NULL,
	`latency_ms` real NOT NULL,
	`ttfb_ms` real,
	`overhead_ms` real,
	`input_tokens` integer,
	`output_tokens` integer,
	`cached_input_tokens` integer,
	`cache_write_tokens` integer,
	`reasoning_tokens` integer,
	`estimated` integer NOT NULL,
	`cost_usd` real,
	`flat_rate` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `usage_records_started_at` ON `usage_records` (`started_at`);--> statement-breakpoint
CREATE INDEX `usage_records_key` ON `usage_records` (`api_key_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `usage_records_connection` ON `usage_records` (`connection_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `usage_records_model` ON `usage_records` (`model`,`started_at`);--> statement-breakpoint
CREATE INDEX `usage_records_provider` ON `usage_records` (`provider`,`started_at`);--> statement-breakpoint
CREATE INDEX `usage_records_errors` ON `usage_records` (`started_at`) WHERE "usage_records"."status" >= 400;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `no_log` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `provider_connections` ADD `flat_rate` integer DEFAULT false NOT NULL;