namespace Cairn.Server;

/// <summary>A configuration or data-dir problem that stops the member before it serves; the message tells the
/// user what is wrong and what to do. The executable prints it and exits with status 1.</summary>
public sealed class StartupException(string message) : Exception(message);
