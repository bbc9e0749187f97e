/**
 * The command line: parse, then serve (the default) or run one of the offline commands.
 * Exit codes: 0 done, 1 could not run (a clear line on stderr), 2 bad usage.
 */
import { parseCommand, USAGE, UsageError, VERSION } from "./config.ts";
import { openContext, StartupError, serve } from "./ops/server.ts";
import { installService, uninstallService } from "./ops/service.ts";
import { createApiKey } from "./security/api-keys.ts";
import { generatePassword } from "./security/password.ts";
import { StoreError } from "./store/migrate.ts";

async function run(argv: string[]): Promise<number> {
  const command = parseCommand(argv, process.env);
  switch (command.name) {
    case "help":
      process.stdout.write(USAGE);
      return 0;
    case "version":
      process.stdout.write(`switchyard ${VERSION}\n`);
      return 0;
    case "service-install":
      console.log(installService(command.config, command.user, command.unitDir));
      return 0;
    case "service-uninstall":
      console.log(uninstallService(command.user, command.unitDir));
      return 0;
    case "password-reset": {
      const context = openContext(command.config);
      const password = generatePassword();
      await context.password.change(password);
      context.store.close();
      console.log(`New admin password: ${password}\nEvery signed-in session has been signed out.`);
      return 0;
    }
    case "keys-create": {
      const context = openContext(command.config);
      const { row, secret } = createApiKey(context.apiKeys, command.label, command.admin);
      context.store.close();
      console.log(
        `Created ${row.isAdmin ? "admin " : ""}key "${row.label}" (id ${row.id}). It is shown only now:\n${secret}`,
      );
      return 0;
    }
    case "serve": {
      const server = await serve(command.config);
      await new Promise<void>((resolve) => {
        const stop = () => void server.shutdown().then(resolve);
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
      return 0;
    }
  }
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`switchyard: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else if (error instanceof StartupError || error instanceof StoreError) {
    process.stderr.write(`switchyard: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
process.exit(process.exitCode ?? 0);
