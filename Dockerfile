# OmsDashboard web app for Docker users: `docker compose up --build` (see docker-compose.yml).
# The scripts (run.sh, test.sh) do not use Docker; this is an alternative way to run it.

# ---- build: .NET SDK + node/npm (the web project's third-party assets come from npm) ----
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1
WORKDIR /src
# Whole repository minus .dockerignore (bin/obj, node_modules, wwwroot/lib, .oms, ...).
COPY . .
# The web project runs `npm install` itself (package.json at the root) and publishes the
# web root and the demo network (db/feeders) beside its binaries.
RUN dotnet publish src/OmsDashboard.Web -c Release -o /app

# ---- runtime: ASP.NET Core only ----
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080
# The image's unprivileged user (UID 1654 in the .NET 8+ images).
USER $APP_UID
ENTRYPOINT ["dotnet", "OmsDashboard.Web.dll"]
