"""The Slack edge: the Web API client, the Bolt app, its listeners and the web server."""
