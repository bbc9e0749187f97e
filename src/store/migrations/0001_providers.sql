CREATE TABLE `model_aliases` (
	`alias` text PRIMARY KEY NOT NULL,
	`target` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `provider_connections` (
	`id` text PRIMARY KEY NOT NULL,
	`provider` text NOT NULL,
	`name` text NOT NULL,
	`api_key_encrypted` text,
	`base_url` text,
	`priority` integer DEFAULT 0 NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`default_model` text,
	`headers` text,
	`provider_specific_data` text,
	`models` text,
	`test_status` text DEFAULT 'untested' NOT NULL,
	`last_error` text,
	`last_tested_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `provider_nodes` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`api_type` text DEFAULT 'chat' NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`base_url` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `provider_nodes_prefix_unique` ON `provider_nodes` (`prefix`);