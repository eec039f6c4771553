using MudBlazor;

namespace OmsDashboard.Web.Features.Shared;

/// <summary>One icon per source, wherever sources are counted or rated.</summary>
public static class SourceIcons
{
    public static string For(string source) => source switch
    {
        "scada" => Icons.Material.Filled.ElectricalServices,
        "kaifa" => Icons.Material.Filled.ElectricMeter,
        "onu" => Icons.Material.Filled.Router,
        "callcenter" => Icons.Material.Filled.Phone,
        _ => Icons.Material.Filled.Sensors,
    };
}
