"""The tool registry: the tools scenarios may call, who owns each, and how stable it is."""
